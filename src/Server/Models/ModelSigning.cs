using System.Security.Cryptography;
using OnDeviceReco.Trainer.Bundles;

namespace OnDeviceReco.Server.Models;

/// <summary>
/// The server's signing key (<c>signing-key.pem</c> in the data directory, created owner-only on first start).
/// Its public half (<c>signing-key.pem.pub</c>) is what apps ship as their trusted model key.
/// </summary>
public sealed class ModelSigning : IDisposable
{
    public ModelSigning(string dataDirectory)
    {
        KeyPath = Path.Combine(dataDirectory, "signing-key.pem");
        Key = ModelBundleWriter.LoadOrCreateKey(KeyPath, out _);
        PublicKeyPem = Protocol.BundleSigner.ExportPublicKeyPem(Key);
    }

    public string KeyPath { get; }
    public ECDsa Key { get; }
    public string PublicKeyPem { get; }

    public void Dispose() => Key.Dispose();
}
