using OnDeviceReco.Server.Auth;
using OnDeviceReco.Server.Hosting;
using OnDeviceReco.Server.Models;
using OnDeviceReco.Server.Retraining;
using OnDeviceReco.Feedback;

using OnDeviceReco.Server.Experiments;

namespace OnDeviceReco.Server.Admin;

/// <summary>
/// The operator's dashboard under /admin: server-rendered HTML and SVG, no script. Signing in posts the admin key
/// once for a session cookie (<see cref="AdminSessions"/>); every POST also carries the session's anti-forgery
/// token, and the cookie is SameSite=Strict, so another site can neither read the pages nor act through them.
/// Without <see cref="ServerOptions.AdminKey"/> the dashboard does not exist (404).
/// </summary>
public static class AdminEndpoints
{
    private const string SessionItem = "odr-admin-session";

    public static void MapAdminEndpoints(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/admin").AddEndpointFilter(SecurityHeaders).ExcludeFromDescription();
        admin.MapGet("/login", (HttpContext http, AdminSessions sessions) =>
            sessions.Validate(http.Request.Cookies[AdminSessions.CookieName]) is null ? Page(LoginPage.Render(null)) : Results.Redirect("/admin"));
        admin.MapPost("/login", SignIn);

        var pages = admin.MapGroup("").AddEndpointFilter(RequireSession);
        pages.MapGet("/", (HttpContext http, ModelRegistry registry, IFeedbackStore store, ServerMetrics metrics, AdminSessions sessions) =>
            Page(OverviewPage.Render(registry.Serving, store.Counts(), metrics.RejectedTotal, store.Runs(1).FirstOrDefault(),
                Models(store), IngestWindow.Load(store), Csrf(http, sessions))));
        pages.MapGet("/models", (HttpContext http, ModelRegistry registry, IModelRegistryStore store, AdminSessions sessions, Catalogue.CatalogueUpdater catalogue, long? served) =>
            Page(ModelsPage.Render(Models(store), registry.Serving?.ModelVersion, Csrf(http, sessions), served is { } v ? $"Now serving v{v}." : null,
                catalogue.LastProblem ?? (catalogue.Last is { Pending: true } waiting ? waiting.Note : null))));
        pages.MapGet("/models/{version:long}/serve", (long version, HttpContext http, ModelRegistry registry, IModelRegistryStore store, AdminSessions sessions) =>
            Models(store).FirstOrDefault(m => m.Version == version && m.Published) is { } model
                ? Page(ModelsPage.Confirm(model, registry.Serving?.ModelVersion, Csrf(http, sessions)))
                : Page(Html.Page("No such model", $"<p>Version {version} was never published.</p>", "Models", Csrf(http, sessions)), StatusCodes.Status404NotFound));
        pages.MapPost("/models/{version:long}/serve", Serve);
        pages.MapPost("/retrain", Retrain);
        pages.MapGet("/retraining", (HttpContext http, IModelRegistryStore store, RetrainingTrigger trigger, AdminSessions sessions) =>
            Page(RetrainingPage.Render(store.Runs(200), trigger.LastError, Csrf(http, sessions))));
        pages.MapGet("/traffic", (HttpContext http, IFeedbackReader store, ServerMetrics metrics, IngestGate gate, AdminSessions sessions) =>
            Page(TrafficPage.Render(IngestWindow.Load(store), store.Counts(), metrics.RejectedByStatus, gate.InFlight, gate.Queued, Csrf(http, sessions))));
        pages.MapGet("/experiments", (HttpContext http, ExperimentBook book, ExperimentEvaluator evaluator, AdminSessions sessions, string? decided) =>
            Page(ExperimentsPage.Render(book.All, evaluator.Looks, book.Decisions, Csrf(http, sessions), decided is null ? null : $"Decided: {decided}.")));
        pages.MapPost("/experiments/{id}/decision", DecideExperiment);
        pages.MapPost("/logout", async (HttpContext http, AdminSessions sessions) =>
        {
            if (await AntiForgeryRefusal(http, sessions) is { } refused)
            {
                return refused;
            }
            http.Response.Cookies.Delete(AdminSessions.CookieName, sessions.CookieOptions(http.Request));
            return SeeOther("/admin/login");
        });
    }

    private static async Task<IResult> SignIn(HttpContext http, ServerOptions options, AdminSessions sessions, LoginThrottle throttle,
        ServerMetrics metrics, ILoggerFactory loggers)
    {
        if (!throttle.TryAttempt(http))
        {
            http.Response.Headers.RetryAfter = "60";
            return Page(LoginPage.Render("Too many sign-in attempts from this address; wait a minute."), StatusCodes.Status429TooManyRequests);
        }
        string presented = http.Request.HasFormContentType ? (await http.Request.ReadFormAsync(http.RequestAborted))["key"].ToString() : "";
        if (!AuthFilters.SameSecret(options.AdminKey!, presented))
        {
            metrics.AuthFailed("admin_login");
            loggers.CreateLogger("OnDeviceReco.Server.Admin").LogWarning("Dashboard sign-in with a wrong key refused");
            return Page(LoginPage.Render("That key is not the operator key."), StatusCodes.Status401Unauthorized);
        }
        http.Response.Cookies.Append(AdminSessions.CookieName, sessions.Issue(), sessions.CookieOptions(http.Request));
        // 303: the browser follows with a GET, so a reload does not post the key again.
        return SeeOther("/admin");
    }

    private static async Task<IResult> Serve(long version, HttpContext http, ModelRegistry registry, AdminSessions sessions, ILoggerFactory loggers)
    {
        if (await AntiForgeryRefusal(http, sessions) is { } refused)
        {
            return refused;
        }
        if (!registry.Rollback(version))
        {
            return Page(Html.Page("No such model", $"<p>Version {version} was never published.</p>", "Models", Csrf(http, sessions)), StatusCodes.Status404NotFound);
        }
        loggers.CreateLogger("OnDeviceReco.Server.Admin").LogInformation("Operator made model v{Version} serving from the dashboard", version);
        return SeeOther($"/admin/models?served={version}");
    }

    private static async Task<IResult> Retrain(HttpContext http, RetrainingTrigger trigger, AdminSessions sessions, ILoggerFactory loggers)
    {
        if (await AntiForgeryRefusal(http, sessions) is { } refused)
        {
            return refused;
        }
        trigger.RequestNow();
        loggers.CreateLogger("OnDeviceReco.Server.Admin").LogInformation("Operator started a retraining run from the dashboard");
        return SeeOther("/admin/retraining");
    }

    private static async Task<IResult> DecideExperiment(string id, HttpContext http, ExperimentBook book, AdminSessions sessions)
    {
        if (await AntiForgeryRefusal(http, sessions) is { } refused)
        {
            return refused;
        }
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        string decision = form["decision"].ToString();
        string? arm = form["arm"] is { Count: > 0 } named && named.ToString().Length > 0 ? named.ToString() : null;
        if (book.Find(id) is not { } experiment || decision is not (ExperimentBook.Promote or ExperimentBook.Rollback or ExperimentBook.Continue))
        {
            return Page(Html.Page("No such decision", "<p class=\"error\">Unknown experiment or decision.</p>", "Experiments", Csrf(http, sessions)), StatusCodes.Status400BadRequest);
        }
        try
        {
            book.Decide(experiment, decision, ExperimentBook.Operator, "decided on the dashboard", arm);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or ExperimentChangedException)
        {
            return Page(Html.Page("Decision refused", $"<p class=\"error\">{Html.E(e.Message)}</p>", "Experiments", Csrf(http, sessions)), StatusCodes.Status409Conflict);
        }
        return SeeOther($"/admin/experiments?decided={Uri.EscapeDataString(id + (arm is null ? "" : "/" + arm) + ": " + decision)}");
    }

    private static IResult SeeOther(string location) => new SeeOtherResult(location);

    private static IReadOnlyList<ModelView> Models(IModelRegistryStore store) => store.Models().Select(ModelView.From).ToList();

    private static string Csrf(HttpContext http, AdminSessions sessions) => sessions.AntiForgeryToken((string)http.Items[SessionItem]!);

    private static IResult Page(string html, int status = StatusCodes.Status200OK) =>
        Results.Content(html, "text/html; charset=utf-8", statusCode: status);

    /// <summary>Null when the form carries this session's anti-forgery token, else the 403 page.</summary>
    private static async Task<IResult?> AntiForgeryRefusal(HttpContext http, AdminSessions sessions)
    {
        string? token = http.Request.HasFormContentType ? (await http.Request.ReadFormAsync(http.RequestAborted))["csrf"].ToString() : null;
        return sessions.IsValidAntiForgeryToken((string)http.Items[SessionItem]!, token)
            ? null
            : Page(Html.Page("Refused", "<p class=\"error\">The form did not come from this dashboard session. Reload the page and try again.</p>"),
                StatusCodes.Status403Forbidden);
    }

    /// <summary>Pages need a valid session: a browser is sent to sign in, a stray POST is refused.</summary>
    private static async ValueTask<object?> RequireSession(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var sessions = http.RequestServices.GetRequiredService<AdminSessions>();
        if (sessions.Validate(http.Request.Cookies[AdminSessions.CookieName]) is not { } session)
        {
            return HttpMethods.IsGet(http.Request.Method)
                ? SeeOther("/admin/login")
                : Page(Html.Page("Signed out", "<p class=\"error\">Your session has ended. <a href=\"/admin/login\">Sign in</a> again.</p>"),
                    StatusCodes.Status403Forbidden);
        }
        http.Items[SessionItem] = session;
        return await next(context);
    }

    /// <summary>
    /// No framing, no inline script, no referrer, no caching of pages that show operator data; and no dashboard
    /// at all without an admin key.
    /// </summary>
    private static async ValueTask<object?> SecurityHeaders(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
        if (http.RequestServices.GetRequiredService<ServerOptions>().AdminKey is not { Length: > 0 })
        {
            return Page(Html.Page("Dashboard off", "<p>Set <code>Reco:AdminKey</code> to turn the operator dashboard on.</p>"), StatusCodes.Status404NotFound);
        }
        return await next(context);
    }

    /// <summary>303 See Other: after a POST the browser loads the target with GET.</summary>
    private sealed class SeeOtherResult(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            httpContext.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }
}
