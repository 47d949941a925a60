namespace OnDeviceReco.Protocol.Tests.Support;

internal static class Rejections
{
    /// <summary>Verifies through both entry points and returns the rejection, failing if the bundle was accepted.</summary>
    public static BundleRejection Of(BundleVerifier verifier, string directory)
    {
        var thrown = Assert.Throws<BundleVerificationException>(() => verifier.Verify(directory));
        Assert.False(verifier.TryVerify(directory, out VerifiedBundle? bundle, out BundleRejection? rejection));
        Assert.Null(bundle);
        Assert.NotNull(rejection);
        Assert.Equal(thrown.Reason, rejection.Reason);
        Assert.Equal(thrown.FileName, rejection.FileName);
        return rejection;
    }

    /// <summary>The reason only, via TryVerify alone: for loops over thousands of tampered bundles.</summary>
    public static BundleRejectReason? ReasonOf(BundleVerifier verifier, string directory) =>
        verifier.TryVerify(directory, out _, out BundleRejection? rejection) ? null : rejection.Reason;
}
