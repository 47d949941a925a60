namespace OnDeviceReco.Trainer.Models;

/// <summary>
/// How a text recipe places an item that has no ID part (never played in training, or added to the catalogue after
/// it): row = <see cref="Scale"/> × adaptor(text) + <see cref="Shift"/> × the expected ID part of a played item (the
/// interaction-weighted mean of the trained ID offsets). Warm items carry trained offsets, which hold their
/// popularity; a new item's text part alone sits on another scale and loses every full ranking against them. The rule
/// is affine in the text vector, so it folds into the one exported item table and into catalogue updates unchanged.
/// </summary>
public sealed record NoIdCalibration(double Scale, double Shift)
{
    /// <summary>The text part as trained: no calibration.</summary>
    public static NoIdCalibration None { get; } = new(1, 0);

    public bool IsNone => Scale == 1 && Shift == 0;

    /// <summary>The settings a validation replay chooses from (<see cref="None"/> among them).</summary>
    public static IReadOnlyList<NoIdCalibration> Grid { get; } =
        [.. from scale in new[] { 1.0, 1.05, 1.1, 1.15, 1.2, 1.3 } from shift in new[] { 0.0, 1, 2 } select new NoIdCalibration(scale, shift)];

    public override string ToString() => FormattableString.Invariant($"scale {Scale}, shift {Shift}");
}
