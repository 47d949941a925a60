namespace OnDeviceReco.Server.Privacy;

/// <summary>
/// What the tables the server ships to devices may reveal (<c>Reco:Privacy</c>): every count in them — the exposure
/// table, the bundle's popularity list and cohort table, and so the onboarding questions devices pick from them —
/// covers at least <see cref="MinDevices"/> distinct devices, and carries Laplace noise of scale <see cref="NoiseScale"/>.
/// </summary>
public sealed class PrivacyOptions
{
    /// <summary>k: an item (a cohort, an item within a cohort) ships only when at least this many distinct devices are behind it.</summary>
    public int MinDevices { get; set; } = 20;

    /// <summary>
    /// Scale b of the Laplace noise added to every shipped count (0 ships exact counts). One device changes a count of
    /// distinct devices by at most 1, so each count is ε-differentially private for one device with ε = 1/b
    /// (default 2: ε = 0.5 per count). The noise is drawn from a keyed hash of the table, the cell and its true
    /// count, so downloading the same table again gives the same noise: it cannot be averaged away.
    /// </summary>
    public double NoiseScale { get; set; } = 2.0;

    /// <summary>
    /// The current period of the keyed pseudonyms the store holds instead of device and user ids: its key is
    /// <c>pseudonyms-N.secret</c> in the secrets directory (created on first start, shared by every node). Raising it
    /// (on every node) rotates the key: from then on ids get new pseudonyms, unlinkable to the old ones without the
    /// old key. Older key files present stay in use for erasure only; delete one when its period's data is gone.
    /// See docs/privacy.md.
    /// </summary>
    public int PseudonymPeriod { get; set; } = 1;

    public void Validate()
    {
        if (MinDevices < 1 || !(NoiseScale >= 0) || double.IsInfinity(NoiseScale))
        {
            throw new InvalidOperationException("Reco:Privacy:MinDevices must be ≥ 1 and Reco:Privacy:NoiseScale a finite number ≥ 0.");
        }
        if (PseudonymPeriod < 1)
        {
            throw new InvalidOperationException("Reco:Privacy:PseudonymPeriod must be ≥ 1.");
        }
    }
}
