namespace OnDeviceReco.Trainer.Privacy;

/// <summary>
/// User-level differentially private training (DP-FedAvg/DP-FedSGD, McMahan et al., "Learning Differentially Private
/// Recurrent Language Models", ICLR 2018): every step includes each user with probability q = expected users per step
/// (<see cref="ExpectedUsersPerStep"/>) / users, takes one update per included user — the gradient of that user's whole loss — clips it to norm
/// <see cref="ClipNorm"/>, sums, adds N(0, σ²C²) to every coordinate and divides by the expected number of users per
/// step. One user changes a step's sum by at most C whatever their number of events, so the guarantee is per user,
/// not per event. σ is chosen so that the planned steps spend at most <see cref="TargetEpsilon"/> at δ
/// (<see cref="RdpAccountant"/>), unless <see cref="NoiseMultiplier"/> fixes it.
/// </summary>
public sealed record UserLevelPrivacy
{
    /// <summary>ε the planned training may spend (used when <see cref="NoiseMultiplier"/> is null).</summary>
    public double TargetEpsilon { get; init; } = 8;

    /// <summary>δ; null takes 1/users (users: the sequences trained on).</summary>
    public double? Delta { get; init; }

    /// <summary>C: the L2 norm every user's update is clipped to.</summary>
    public double ClipNorm { get; init; } = 1;

    /// <summary>Expected users per step (q × users), capped at all users; null: <see cref="ExpectedUsersPerStep"/>'s default.</summary>
    public int? UsersPerStep { get; init; }

    /// <summary>The sampling rate of the default: 4 % of the users per step.</summary>
    public const double DefaultSampleRate = 0.04;

    /// <summary>The default's floor: at least this many users per step (all of them when fewer).</summary>
    public const int MinimumUsersPerStep = 256;

    /// <summary>
    /// q × users for <paramref name="users"/> users: <see cref="UsersPerStep"/> when set, else 4 % of the users but at
    /// least 256. The noise on each coordinate of a step's mean is σC / (q × users) while σ depends on q and the steps
    /// alone, so a fixed share of a larger population drowns the noise in more users; an epoch costs one pass over the
    /// users whatever q is. A fixed 256 would leave σC/256 at any population size (measured on generated data,
    /// docs/privacy.md).
    /// </summary>
    public int ExpectedUsersPerStep(int users) =>
        UsersPerStep ?? Math.Max(Math.Min(MinimumUsersPerStep, users), (int)Math.Ceiling(DefaultSampleRate * users));

    /// <summary>σ as given instead of calibrated to <see cref="TargetEpsilon"/>; the spent ε is reported either way.</summary>
    public double? NoiseMultiplier { get; init; }

    /// <exception cref="ArgumentOutOfRangeException">A value out of range.</exception>
    public void Validate()
    {
        if (!(TargetEpsilon > 0) || double.IsInfinity(TargetEpsilon))
        {
            throw new ArgumentOutOfRangeException(nameof(TargetEpsilon), TargetEpsilon, "ε must be a positive number.");
        }
        if (Delta is { } delta && !(delta is > 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Delta), delta, "δ must be in (0, 1).");
        }
        if (!(ClipNorm > 0) || double.IsInfinity(ClipNorm))
        {
            throw new ArgumentOutOfRangeException(nameof(ClipNorm), ClipNorm, "The clipping norm must be a positive number.");
        }
        if (UsersPerStep is { } perStep)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(perStep, 1, nameof(UsersPerStep));
        }
        if (NoiseMultiplier is { } sigma && (!(sigma > 0) || double.IsInfinity(sigma)))
        {
            throw new ArgumentOutOfRangeException(nameof(NoiseMultiplier), sigma, "σ must be a positive number.");
        }
    }
}
