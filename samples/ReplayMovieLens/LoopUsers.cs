namespace ReplayMovieLens;

/// <summary>
/// The loop's users: one device per MovieLens user (the first <c>deviceCount</c>), minus the newcomers held back
/// (<see cref="Newcomers.HoldBack"/>). A kept run's users are these again with the same options, which is what the
/// experiments on a kept run (bench/OnDeviceReco.Experiments) rely on.
/// </summary>
internal static class LoopUsers
{
    public static (List<UserHistory> Devices, List<UserHistory> Newcomers) Load(string dataDirectory, int deviceCount, double newcomerShare, int newcomerSeed) =>
        Newcomers.HoldBack(UserHistory.Split(MovieLensFiles.ReadRatings(dataDirectory)).Take(deviceCount).ToList(), newcomerShare, newcomerSeed);

    /// <summary>Shifts history so the newest rating happened a minute ago: devices record it as if it were live.</summary>
    public static TimeSpan Shift(IEnumerable<UserHistory> devices) => DateTimeOffset.UtcNow.AddMinutes(-1) - devices.Max(u => u.Future[^1].Time);
}
