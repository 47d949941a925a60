using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace OnDeviceReco.Server.Tests.Support;

/// <summary>
/// Debian's chromium, headless, driven through Debian's chromedriver. Both paths are given explicitly so Selenium
/// Manager never tries to download a driver or a browser (nothing outside the package registries is reachable).
/// </summary>
public sealed class Browser : IDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string DriverPath = "/usr/bin/chromedriver";
    private readonly TempDirectory _profile = new();

    public Browser()
    {
        Assert.True(File.Exists(ChromiumPath) && File.Exists(DriverPath),
            $"{ChromiumPath} and {DriverPath} are needed: apt-get install chromium chromium-driver (.ci/run does).");
        Environment.SetEnvironmentVariable("SE_OFFLINE", "true");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(DriverPath)!, Path.GetFileName(DriverPath));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = ChromiumPath };
        // --no-sandbox: CI runs as root, where chromium refuses to start sandboxed. Tall window: whole pages fit one screenshot.
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run",
            "--disable-extensions", "--window-size=1280,1250", "--user-data-dir=" + _profile.Path);
        Driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(90));
        Driver.Manage().Timeouts().PageLoad = TimeSpan.FromSeconds(60);
    }

    public ChromeDriver Driver { get; }

    /// <summary>Repo-root <c>artifacts/dashboard</c>: where the screenshots go (gitignored).</summary>
    public static string ArtifactsDirectory
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "OnDeviceReco.sln")))
            {
                directory = directory.Parent;
            }
            string path = Path.Combine(directory?.FullName ?? Path.GetTempPath(), "artifacts", "dashboard");
            Directory.CreateDirectory(path);
            return path;
        }
    }

    public void Open(Uri address) => Driver.Navigate().GoToUrl(address);

    /// <summary>The element, waiting up to 15 s for it: a click that submits a form can return before the next page is in.</summary>
    public IWebElement Find(string cssSelector)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var found = Driver.FindElements(By.CssSelector(cssSelector));
            if (found.Count > 0)
            {
                return found[0];
            }
            if (DateTime.UtcNow > deadline)
            {
                Screenshot("failed-" + new string(cssSelector.Where(char.IsLetterOrDigit).ToArray()));
                throw new NoSuchElementException($"No {cssSelector} on {Driver.Url}: {Text}");
            }
            Thread.Sleep(100);
        }
    }

    /// <summary>Waits up to 15 s for the browser to be on a URL ending with <paramref name="path"/>.</summary>
    public void WaitForPath(string path)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!Driver.Url.EndsWith(path, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"Expected {path}, the browser is on {Driver.Url}");
            Thread.Sleep(100);
        }
    }

    public string Text => Driver.FindElement(By.TagName("body")).Text;

    /// <summary>Saves what the browser shows as <c>artifacts/dashboard/{name}.png</c>.</summary>
    public string Screenshot(string name)
    {
        string path = Path.Combine(ArtifactsDirectory, name + ".png");
        Driver.GetScreenshot().SaveAsFile(path);
        return path;
    }

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
        _profile.Dispose();
    }
}
