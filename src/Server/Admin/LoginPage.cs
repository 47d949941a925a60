namespace OnDeviceReco.Server.Admin;

/// <summary>The sign-in form: the operator key is posted once and exchanged for a session cookie.</summary>
internal static class LoginPage
{
    public static string Render(string? error) => Html.Page("Operator sign-in", $"""
        {(error is null ? "" : $"<p class=\"error\" id=\"login-error\">{Html.E(error)}</p>")}
        <form method="post" action="/admin/login">
          <label for="key">Operator key (<code>Reco:AdminKey</code>)</label>
          <input type="password" id="key" name="key" autocomplete="current-password" autofocus required>
          <p><button type="submit" id="sign-in">Sign in</button></p>
        </form>
        <p class="note">The key is checked once; the browser then holds a session cookie (HttpOnly, SameSite=Strict) that is not the key.</p>
        """);
}
