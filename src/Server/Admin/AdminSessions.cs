using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OnDeviceReco.Server.Hosting;

namespace OnDeviceReco.Server.Admin;

/// <summary>
/// Dashboard sessions without server-side state: the cookie holds an expiry and a random session id, MACed with a
/// key derived from a per-process secret and the admin key — never the admin key itself. A restart or a new admin key
/// ends every session. Each session has an anti-forgery token (a MAC of its id) that every form posts back.
/// </summary>
public sealed class AdminSessions
{
    public const string CookieName = "odr_admin";
    private readonly byte[] _key;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _lifetime;

    public AdminSessions(ServerOptions options, TimeProvider clock)
    {
        _clock = clock;
        _lifetime = options.AdminSessionLifetime;
        byte[] processSecret = RandomNumberGenerator.GetBytes(32);
        _key = HMACSHA256.HashData(processSecret, Encoding.UTF8.GetBytes("odr-admin-session/1\n" + (options.AdminKey ?? "")));
    }

    /// <summary>A new session's cookie value.</summary>
    public string Issue()
    {
        long expires = _clock.GetUtcNow().Add(_lifetime).ToUnixTimeSeconds();
        string id = Base64Url(RandomNumberGenerator.GetBytes(18));
        string body = expires.ToString(CultureInfo.InvariantCulture) + "." + id;
        return body + "." + Base64Url(Mac("session", body));
    }

    /// <summary>The session id of a valid, unexpired cookie, else null.</summary>
    public string? Validate(string? cookie)
    {
        if (cookie is null || cookie.Split('.') is not [var expires, var id, var mac])
        {
            return null;
        }
        byte[] expected = Mac("session", expires + "." + id);
        byte[] presented;
        try
        {
            presented = Convert.FromBase64String(FromBase64Url(mac));
        }
        catch (FormatException)
        {
            return null;
        }
        if (!CryptographicOperations.FixedTimeEquals(expected, presented)
            || !long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out long seconds)
            || seconds <= _clock.GetUtcNow().ToUnixTimeSeconds())
        {
            return null;
        }
        return id;
    }

    /// <summary>The anti-forgery token forms of this session carry.</summary>
    public string AntiForgeryToken(string sessionId) => Base64Url(Mac("csrf", sessionId));

    public bool IsValidAntiForgeryToken(string sessionId, string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(AntiForgeryToken(sessionId)), Encoding.ASCII.GetBytes(presented));

    public CookieOptions CookieOptions(HttpRequest request) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        // Behind TLS the cookie never travels in clear; plain http stays usable on loopback.
        Secure = request.IsHttps,
        Path = "/admin",
        MaxAge = _lifetime,
    };

    private byte[] Mac(string purpose, string value) => HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(purpose + "\n" + value));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string FromBase64Url(string text)
    {
        string padded = text.Replace('-', '+').Replace('_', '/');
        return padded + new string('=', (4 - padded.Length % 4) % 4);
    }
}
