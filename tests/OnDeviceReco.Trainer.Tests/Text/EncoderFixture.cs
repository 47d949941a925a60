using OnDeviceReco.Trainer.Text;

namespace OnDeviceReco.Trainer.Tests.Text;

/// <summary>One real encoder for a test class: loading the 91 MB model once is enough.</summary>
public sealed class EncoderFixture : IDisposable
{
    public SentenceEncoder Encoder { get; } = new(threads: 1);

    public void Dispose() => Encoder.Dispose();
}
