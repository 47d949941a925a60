namespace OnDeviceReco.Trainer.Training;

/// <summary>Left-pads histories to a fixed length, keeping the newest items (as the device does).</summary>
public static class Histories
{
    public static long[] LeftPad(IReadOnlyList<int[]> histories, int length)
    {
        var batch = new long[histories.Count * length];
        for (int b = 0; b < histories.Count; b++)
        {
            var history = histories[b];
            int take = Math.Min(length, history.Length);
            for (int i = 0; i < take; i++)
            {
                batch[b * length + length - take + i] = history[history.Length - take + i];
            }
        }
        return batch;
    }
}
