using TorchSharp;

namespace VisionGrpo.Training.Rollout;

/// <summary>
/// The prompt order of TRL's <c>RepeatSampler</c>: one private torch generator seeded once with the run's
/// seed draws a permutation per epoch (its state carries over between epochs), the permutation is cut into chunks of
/// <c>U = generation_batch_size / num_generations</c> unique prompts and a last partial chunk is dropped. Each chunk is
/// one generation round; TRL's repetition of every index G times (and of every chunk I·S times) is the trainer's job.
/// </summary>
internal sealed class RepeatSampler
{
    readonly List<int[]> _permutations = new();
    readonly torch.Generator? _generator;

    /// <summary>Creates the sampler.</summary>
    /// <param name="datasetSize">Rows in the training set.</param>
    /// <param name="promptsPerRound">U: unique prompts per generation round.</param>
    /// <param name="shuffle"><c>shuffle_dataset</c>: permute (true) or keep dataset order (false).</param>
    /// <param name="seed">The run's seed.</param>
    /// <exception cref="ArgumentException">The dataset holds fewer rows than one round needs.</exception>
    public RepeatSampler(int datasetSize, int promptsPerRound, bool shuffle, long seed)
    {
        if (promptsPerRound < 1) throw new ArgumentOutOfRangeException(nameof(promptsPerRound), promptsPerRound, "need at least one prompt per round.");
        if (datasetSize < promptsPerRound)
            throw new ArgumentException(
                $"the training set has {datasetSize} rows but one generation round needs {promptsPerRound} prompts " +
                "(generation_batch_size / num_generations); use more data or a smaller batch.");
        DatasetSize = datasetSize;
        PromptsPerRound = promptsPerRound;
        if (shuffle)
        {
            Tensors.TorchRuntime.EnsureInitialized();
            _generator = new torch.Generator((ulong)seed, torch.CPU);
        }
    }

    /// <summary>Rows in the training set.</summary>
    public int DatasetSize { get; }
    /// <summary>U: unique prompts per round.</summary>
    public int PromptsPerRound { get; }
    /// <summary>Rounds (chunks) per epoch: ⌊N / U⌋.</summary>
    public int RoundsPerEpoch => DatasetSize / PromptsPerRound;

    /// <summary>The dataset indices of round <paramref name="round"/> of epoch <paramref name="epoch"/>.</summary>
    public int[] Round(int epoch, int round)
    {
        if (round < 0 || round >= RoundsPerEpoch) throw new ArgumentOutOfRangeException(nameof(round), round, $"an epoch has {RoundsPerEpoch} rounds.");
        var permutation = Permutation(epoch);
        return permutation.AsSpan(round * PromptsPerRound, PromptsPerRound).ToArray();
    }

    /// <summary>The order of epoch <paramref name="epoch"/> (earlier epochs are drawn first, as the generator's state requires).</summary>
    public int[] Permutation(int epoch)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch));
        while (_permutations.Count <= epoch)
        {
            if (_generator is null) _permutations.Add(Enumerable.Range(0, DatasetSize).ToArray());
            else
            {
                using var perm = torch.randperm(DatasetSize, generator: _generator, dtype: torch.int64);
                _permutations.Add(perm.data<long>().Select(i => (int)i).ToArray());
            }
        }
        return _permutations[epoch];
    }
}
