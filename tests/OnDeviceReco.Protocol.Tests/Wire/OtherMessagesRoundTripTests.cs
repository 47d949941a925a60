using OnDeviceReco.Protocol.Tests.Wire.Support;
using OnDeviceReco.Protocol.Wire;

namespace OnDeviceReco.Protocol.Tests.Wire;

/// <summary>Property: acknowledgements, releases, packages, registrations and credentials round-trip exactly.</summary>
public sealed class OtherMessagesRoundTripTests
{
    private const int Iterations = 500;

    [Fact]
    public void Random_acks_round_trip()
    {
        var rng = new Random(101);
        for (int i = 0; i < Iterations; i++)
        {
            BatchAck ack = WireGen.Ack(rng);
            Assert.Equal(ack, WireCodec.DecodeAck(WireCodec.Encode(ack)));
        }
    }

    [Theory]
    [InlineData(0L, 0, 0, false)]
    [InlineData(long.MaxValue, int.MaxValue, int.MaxValue, true)]
    [InlineData(1L, 1, 0, true)]
    public void Edge_acks_round_trip(long acceptedThrough, int stored, int alreadyStored, bool replayed)
    {
        var ack = new BatchAck(Guid.Empty, acceptedThrough, stored, alreadyStored, replayed);
        Assert.Equal(ack, WireCodec.DecodeAck(WireCodec.Encode(ack)));
    }

    [Fact]
    public void Random_releases_round_trip()
    {
        var rng = new Random(102);
        for (int i = 0; i < Iterations; i++)
        {
            ModelRelease release = WireGen.Release(rng);
            WireAssert.Equal(release, WireCodec.DecodeRelease(WireCodec.Encode(release)));
        }
    }

    [Fact]
    public void Random_packages_round_trip()
    {
        var rng = new Random(103);
        for (int i = 0; i < Iterations; i++)
        {
            ModelPackage package = WireGen.Package(rng);
            WireAssert.Equal(package, WireCodec.DecodePackage(WireCodec.Encode(package)));
        }
    }

    [Fact]
    public void Random_registrations_round_trip()
    {
        var rng = new Random(104);
        for (int i = 0; i < Iterations; i++)
        {
            DeviceRegistration registration = WireGen.Registration(rng);
            Assert.Equal(registration, WireCodec.DecodeRegistration(WireCodec.Encode(registration)));
        }
    }

    [Fact]
    public void Random_credentials_round_trip()
    {
        var rng = new Random(105);
        for (int i = 0; i < Iterations; i++)
        {
            DeviceCredential credential = WireGen.Credential(rng);
            Assert.Equal(credential, WireCodec.DecodeCredential(WireCodec.Encode(credential)));
        }
    }

    [Fact]
    public void Strings_of_exactly_the_limit_round_trip()
    {
        var rng = new Random(106);
        string id = RandomText.OfExactBytes(rng, WireLimits.Default.MaxStringBytes);
        string secret = new('s', DeviceRegistration.MaxSecretLength);
        Assert.Equal(new DeviceRegistration(id, secret), WireCodec.DecodeRegistration(WireCodec.Encode(new DeviceRegistration(id, secret))));
        Assert.Equal(new DeviceCredential(id, id, 1), WireCodec.DecodeCredential(WireCodec.Encode(new DeviceCredential(id, id, 1))));
    }
}
