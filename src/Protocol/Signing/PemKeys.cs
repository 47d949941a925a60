using System.Security.Cryptography;

namespace OnDeviceReco.Protocol;

/// <summary>PEM import that checks the label, so a private key is never mistaken for (and shipped as) a public one.</summary>
internal static class PemKeys
{
    public static ECDsa Import(string pem, string paramName, params string[] allowedLabels)
    {
        ArgumentException.ThrowIfNullOrEmpty(pem, paramName);
        if (!PemEncoding.TryFind(pem, out PemFields fields))
            throw new ArgumentException("The text holds no PEM block.", paramName);
        string label = pem[fields.Label].ToString();
        if (!allowedLabels.Contains(label, StringComparer.Ordinal))
            throw new ArgumentException($"Expected a PEM {string.Join(" or ", allowedLabels)}, found {label}.", paramName);

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
}
