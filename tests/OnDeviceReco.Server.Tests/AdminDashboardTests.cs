using System.Net;
using System.Text.RegularExpressions;
using OnDeviceReco.Server.Admin;
using OnDeviceReco.Server.Tests.Support;

namespace OnDeviceReco.Server.Tests;

/// <summary>
/// The dashboard's guard, over plain HTTP: no page without a session, the key is exchanged for a cookie that is not
/// the key, POSTs need the session's anti-forgery token, wrong keys are refused and throttled, text is encoded.
/// (DashboardBrowserTests drives it in a real browser.)
/// </summary>
public sealed partial class AdminDashboardTests
{
    private static HttpClient Client(ServerHost server) =>
        new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = server.Address };

    private static Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, string? cookie, params (string, string)[] fields)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2))),
        };
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }
        return client.SendAsync(request);
    }

    private static async Task<string> GetAsync(HttpClient client, string path, string cookie, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", cookie);
        using var response = await client.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<string> SignInAsync(HttpClient client)
    {
        using var response = await PostFormAsync(client, "admin/login", null, ("key", ServerHost.AdminKey));
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/admin", response.Headers.Location?.OriginalString);
        string setCookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        return setCookie.Split(';')[0];
    }

    [Fact]
    public async Task Pages_need_a_session_and_signing_in_gives_a_cookie_that_is_not_the_key()
    {
        await using var server = await ServerHost.StartAsync();
        using var client = Client(server);
        foreach (string page in (string[])["admin", "admin/models", "admin/retraining", "admin/traffic"])
        {
            using var anonymous = await client.GetAsync(page);
            Assert.Equal(HttpStatusCode.SeeOther, anonymous.StatusCode);
            Assert.Equal("/admin/login", anonymous.Headers.Location?.OriginalString);
        }
        using (var login = await PostFormAsync(client, "admin/login", null, ("key", ServerHost.AdminKey)))
        {
            string setCookie = Assert.Single(login.Headers.GetValues("Set-Cookie")).ToLowerInvariant();
            Assert.Contains("httponly", setCookie);
            Assert.Contains("samesite=strict", setCookie);
            Assert.Contains("path=/admin", setCookie);
            Assert.DoesNotContain(ServerHost.AdminKey, setCookie);
            Assert.Contains("frame-ancestors 'none'", login.Headers.GetValues("Content-Security-Policy").Single());
        }
        string cookie = await SignInAsync(client);
        foreach (string page in (string[])["admin", "admin/models", "admin/retraining", "admin/traffic"])
        {
            string html = await GetAsync(client, page, cookie);
            if (page != "admin/retraining")
            {
                Assert.Contains("<svg", html);
            }
            Assert.DoesNotContain("<script", html);
        }
        // A cookie whose MAC does not match is no session.
        string forged = cookie[..^2] + (cookie[^2] == 'A' ? "BB" : "AA");
        using var forgedRequest = new HttpRequestMessage(HttpMethod.Get, "admin");
        forgedRequest.Headers.Add("Cookie", forged);
        Assert.Equal(HttpStatusCode.SeeOther, (await client.SendAsync(forgedRequest)).StatusCode);
    }

    [Fact]
    public async Task A_wrong_key_is_refused_and_repeated_guesses_are_throttled()
    {
        await using var server = await ServerHost.StartAsync();
        using var client = Client(server);
        using (var wrong = await PostFormAsync(client, "admin/login", null, ("key", "guess")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.False(wrong.Headers.Contains("Set-Cookie"));
            Assert.Contains("not the operator key", await wrong.Content.ReadAsStringAsync());
        }
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 12; i++)
        {
            using var guess = await PostFormAsync(client, "admin/login", null, ("key", "guess-" + i));
            statuses.Add(guess.StatusCode);
        }
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
    }

    [Fact]
    public async Task Actions_need_the_sessions_anti_forgery_token()
    {
        await using var server = await ServerHost.StartAsync();
        using var client = Client(server);
        string cookie = await SignInAsync(client);
        using (var noToken = await PostFormAsync(client, "admin/retrain", cookie))
        {
            Assert.Equal(HttpStatusCode.Forbidden, noToken.StatusCode);
        }
        using (var wrongToken = await PostFormAsync(client, "admin/retrain", cookie, ("csrf", "not-it")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, wrongToken.StatusCode);
        }
        // Another session's token does not work in this one.
        string otherCookie = await SignInAsync(client);
        string otherToken = Token(await GetAsync(client, "admin/models", otherCookie));
        using (var crossed = await PostFormAsync(client, "admin/retrain", cookie, ("csrf", otherToken)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, crossed.StatusCode);
        }
        using (var noSession = await PostFormAsync(client, "admin/retrain", null, ("csrf", otherToken)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, noSession.StatusCode);
        }
        using (var ok = await PostFormAsync(client, "admin/retrain", cookie, ("csrf", Token(await GetAsync(client, "admin/models", cookie)))))
        {
            Assert.Equal(HttpStatusCode.SeeOther, ok.StatusCode);
            Assert.Equal("/admin/retraining", ok.Headers.Location?.OriginalString);
        }
        // Serving a version that was never published is a 404 page, not a change.
        using var serve = await PostFormAsync(client, "admin/models/7/serve", cookie, ("csrf", Token(await GetAsync(client, "admin/models", cookie))));
        Assert.Equal(HttpStatusCode.NotFound, serve.StatusCode);
        Assert.Null((await server.StatsAsync()).ServingVersion);
    }

    [Fact]
    public async Task Without_an_admin_key_there_is_no_dashboard()
    {
        await using var server = await ServerHost.StartAsync(o => o.AdminKey = null);
        using var client = Client(server);
        using (var page = await client.GetAsync("admin/login"))
        {
            Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        }
        using var login = await PostFormAsync(client, "admin/login", null, ("key", ""));
        Assert.Equal(HttpStatusCode.NotFound, login.StatusCode);
    }

    [Fact]
    public void Stored_text_is_html_encoded()
    {
        var hostile = new ModelView(3, DateTimeOffset.UnixEpoch, false, 0.1, 0.2, 0.3, "<script>alert('x')</script>");
        string html = ModelsPage.Render([hostile], null, "tok\"en");
        Assert.DoesNotContain("<script>", html);
        Assert.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", html);
        Assert.Contains("value=\"tok&quot;en\"", html);
        string runs = RetrainingPage.Render([new Feedback.RetrainingRun(DateTimeOffset.UnixEpoch, 1, "failed", null, 0, null, null, "<b>", "<img src=x>")], "<i>", "t");
        Assert.DoesNotContain("<img", runs);
        Assert.DoesNotContain("<i>", runs);
    }

    private static string Token(string html) => TokenField().Match(html).Groups[1].Value;

    [GeneratedRegex("name=\"csrf\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
