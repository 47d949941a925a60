using OnDeviceReco.Trainer.Cli;
using OnDeviceReco.Trainer.Data;
using OnDeviceReco.Trainer.Models;

// OnDeviceReco trainer: evaluate models honestly, or train one and write a signed bundle.
const string Usage = """
    usage:
      evaluate --data DATA --report FILE.json [--models popularity,sasrec,sasrec-bce,gru] [--seed N] [--threads N] [--max-epochs N] [--softmax auto|full|sampled] [--time-budget MINUTES|off]   (budget: all models of a seed together, default 15)
      evaluate --protocol time-split --data DATA --report FILE.json [--models popularity,content,sasrec,sasrec-text] [--cutoff-quantile 0.9] [--text-cache PATH] [other evaluate options]   (replay after a global time cutoff, per-segment metrics)
      train    --data DATA --out BUNDLE_DIR [--model sasrec|sasrec-sampled|sasrec-shown|sasrec-bce|gru|sasrec-text|gru-text|sasrec-dp] [--text-cache PATH] [--max-epochs N] [--key PRIVATE_KEY.pem] [--model-version N] [--seed N] [--threads N] [--softmax auto|full|sampled] [--time-budget MINUTES|off]   (budget per model, default 6)
      time-epoch --items N [--models sasrec,sasrec-sampled] [--batches N] [--interactions-per-item N] [--threads N]
      generate --out FILE.csv [--preset easy|hard] [--users N] [--items N] [--mean-length F] [--follow F] [--jump F] [--noise F] [--skew F] [--cluster-size N] [--successors N] [--seed N]   (a clustered, sequential interactions file; hard is about as hard as real data)
      cold-start [--users N] [--items N] [--segments N] [--strength F] [--seed N] [--runs N]   (synthetic attributes: cohort fallback vs popularity)
    private recipes (sasrec-dp): [--dp-epsilon E] [--dp-delta D] [--dp-clip C] [--dp-users-per-step N] [--dp-noise SIGMA]   (user-level DP: defaults ε 8, δ 1/users, C 1, 4 % of users per step (at least 256), lr 2e-2; fixed epochs = --max-epochs)
    DATA: a MovieLens directory, an interactions file (CSV or TSV: user, item, timestamp[, type[, value]]),
          sqlite:PATH/feedback.db or postgresql:CONNECTION_STRING (the server's feedback store)
    """;
try
{
    return args.Length == 0 ? throw new UsageException("No command given.") : args[0] switch
    {
        "evaluate" => EvaluateCommand.Run(args[1..]),
        "train" => TrainCommand.Run(args[1..]),
        "cold-start" => ColdStartCommand.Run(args[1..]),
        "time-epoch" => TimeEpochCommand.Run(args[1..]),
        "generate" => GenerateCommand.Run(args[1..]),
        _ => throw new UsageException($"Unknown command '{args[0]}'."),
    };
}
// An unknown model name is a bad command line too: the library names the known ones, the usage follows.
catch (Exception e) when (e is UsageException or UnknownModelException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine(Usage);
    return 2;
}
catch (DataFormatException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 3;
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 4;
}
