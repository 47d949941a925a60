using System.Net;
using System.Net.Sockets;

namespace OnDeviceReco.Server.Tests.Support;

/// <summary>Loopback ports nobody listens on: a device pointed at one finds the server down (connection refused).</summary>
public static class Ports
{
    public static int Free()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
