namespace OnDeviceReco.Protocol;

/// <summary>Why a bundle was refused. Stable numbers, so they can cross the C ABI and telemetry.</summary>
public enum BundleRejectReason
{
    /// <summary>The bundle directory, <c>manifest.json</c> or <c>manifest.sig</c> does not exist.</summary>
    Missing = 1,
    /// <summary><c>manifest.sig</c> is not a valid signature of <c>manifest.json</c> by any trusted key.</summary>
    SignatureInvalid = 2,
    /// <summary>The manifest names a signing key the device does not trust.</summary>
    UnknownKey = 3,
    /// <summary>The signed manifest (or its signed item list file, <c>items.bin</c>) is malformed or breaks the manifest rules.</summary>
    ManifestMalformed = 4,
    /// <summary>The signed manifest has a format version this library does not know.</summary>
    UnsupportedFormat = 5,
    /// <summary>A file the manifest lists is not in the directory.</summary>
    FileMissing = 6,
    /// <summary>A listed file's SHA-256 differs from the manifest's.</summary>
    FileHashMismatch = 7,
    /// <summary>A file is larger than the device's limits allow.</summary>
    FileTooLarge = 8,
    /// <summary>The directory holds a file or folder the manifest does not list.</summary>
    UnlistedFile = 9,
    /// <summary>A file exists but could not be read (permissions, I/O error, a folder where a file should be).</summary>
    Unreadable = 10,
}
