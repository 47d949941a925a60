using System.Security.Cryptography;

namespace OnDeviceReco.Protocol;

/// <summary>PEM import that checks the label, so a private key is never mistaken for (and shipped as) a public one.</summary>
internal static class PemKeys
{
    public static ECDsa Import(string pem, string paramName, params string[] allowedLabels)
    {
        string label = FindBlock(pem, paramName, allowedLabels).Label;
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            P256Keys.Require(key, paramName);
            return key;
        }
        catch (CryptographicException e)
        {
            key.Dispose();
            throw new ArgumentException($"The PEM {label} is not a usable P-256 key: {e.Message}", paramName, e);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The DER inside a <c>PUBLIC KEY</c> PEM (SubjectPublicKeyInfo), decoded without the platform's crypto, which
    /// may be unable to import P-256 keys (see <see cref="TrustedKey"/>).
    /// </summary>
    /// <exception cref="ArgumentException">When the text holds no PEM block, another label, or bad base64.</exception>
    public static byte[] DecodePublicKey(string pem, string paramName)
    {
        (_, string base64) = FindBlock(pem, paramName, "PUBLIC KEY");
        try
        {
            return Convert.FromBase64String(base64);
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"The PEM PUBLIC KEY is not valid base64: {e.Message}", paramName, e);
        }
    }

    private static (string Label, string Base64) FindBlock(string pem, string paramName, params string[] allowedLabels)
    {
        ArgumentException.ThrowIfNullOrEmpty(pem, paramName);
        if (!PemEncoding.TryFind(pem, out PemFields fields))
            throw new ArgumentException("The text holds no PEM block.", paramName);
        string label = pem[fields.Label].ToString();
        if (!allowedLabels.Contains(label, StringComparer.Ordinal))
            throw new ArgumentException($"Expected a PEM {string.Join(" or ", allowedLabels)}, found {label}.", paramName);
        return (label, pem[fields.Base64Data].ToString());
    }
}
