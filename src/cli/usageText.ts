/** The usage text `modeldebug` prints with a usage error: every command and its options. */
export const USAGE = `usage: modeldebug <command> <manifest> [options]

commands:
  explain      label-free saliency and proponents/opponents; writes report.json and report.html
  attribute    one attribution map (any method, any target) for one test example
  checks       entropy and correlation across latent units, the consistency and
               sanity checks, and optionally a comparison with another encoder
  examples     which training examples made a prediction: proponents and opponents
               (TracIn, influence functions) or most and least similar (Deep-KNN, SimplEx)
  index        build (or resume) the gradient-sketch index of every checkpoint
  self-influence  the training examples with the highest self-influence
  suspicious   training examples whose labels look wrong, with reasons and a suggested label
  example-checks  similarity-rate consistency check per method, and optionally the score
               correlation with another encoder
  neon         NEON: explain k-means cluster membership, KDE outlierness or inlierness
               of test examples, in input space or on the representation layer
  semantic     semantic Shapley values of the predicted class over Fourier radius bins
               (or a VAE's latent units), with standard errors and the efficiency check
  invariance   a supervised VAE's invariances: invariant samples, the invariance test
               curve, counterfactuals, and Eq. 9's divergence maps for z1 and z2

explain options:
  --out <dir>            where to write the report (default: the manifest's folder)
  --examples <n>         explain test examples 0..n-1 (default 8)
  --indices <i,j,...>    explain these test examples instead
  --steps <n>            integrated-gradients steps (default 64)
  --top-k <n>            proponents and opponents per example (default 5)

attribute options:
  --method <name>        saliency, gradientXInput, integratedGradients (ig), gradientShap,
                         smoothGrad, occlusion, featureAblation, kernelShap, lime, deepLift, lrp
  --target <t>           label-free (default), class[:k] (the predicted class without k),
                         prob-weighted, unit:j or all-units
  --index <i>            the test example (default 0)
  --out <file.json>      also write the maps as JSON

checks options:
  --method <name>        as above (default integratedGradients)
  --target <t>           for the consistency and sanity checks: label-free (default),
                         class[:k], prob-weighted or unit:j
  --examples <n>         use test examples 0..n-1 (default 8)
  --indices <i,j,...>    use these test examples instead
  --sanity-index <i>     the example of the sanity check (default: the first)
  --compare <manifest>   compare label-free maps with this run's encoder
  --compare-checkpoint <path>  ... or with this checkpoint
  --out <file.json>      also write the results as JSON

method options (attribute and checks):
  --steps <n>            integrated-gradients steps
  --samples <n>          samples of gradientShap, smoothGrad, kernelShap and lime
  --baseline <b>         zeros, mean (training mean), blur[:sigma], uniform[:seed],
                         constant:<value> or file:<path.npy>
  --settings '<json>'    any other method settings, e.g. '{"rule": "riemann_trapezoid"}'

examples options:
  --method <name>        tracin, influence, deepknn or simplex (required)
  --examples <n>         explain test examples 0..n-1 (default 8)
  --indices <i,j,...>    explain these test examples instead
  --top-k <n>            proponents and opponents (or most/least similar) per example (default 5)
  --json <file.json>     also write the result as JSON
  tracin:    --mode sketch|exact|last-layers (default sketch), --sketch-dim <k>, --last-layers <n>
  influence: --inverse lissa|arnoldi, --damping <d>; LiSSA: --depth <n> --scale <s> --samples <n>
             (the scale defaults to 1.5 x the estimated largest Hessian eigenvalue);
             Arnoldi: --rank <r> --iterations <n>
  simplex:   --epochs <n>, --lr <x>, --nearest <k> (fit over the k nearest latent neighbours)

index options:
  --sketch-dim <k>       random-projection dimension of the sketches

self-influence options:
  --method <name>        tracin (from the gradient index, default) or influence (Arnoldi inverse)
  --top-k <n>            how many of the highest to list (default 20)

suspicious options:
  --limit <n>            how many to list, most suspicious first (default 100)
  --neighbours <k>       neighbours in the label vote (default 10)
  --signals <a,b>        selfInfluence, neighbourDisagreement, lowLabelProbability (default: all that apply)

example-checks options:
  --methods <a,b,...>    tracin, influence, deepknn, simplex (default tracin,deepknn)
  --examples <n>         use test examples 0..n-1 (default 32)
  --indices <i,j,...>    use these test examples instead
  --ms <m,...>           the M of the similarity rate (default 1,5,10,20,50)
  --compare <manifest>   also print the Pearson correlation of each method's scores with this
                         run's encoder (same training set)
  --compare-checkpoint <path>  ... or with this checkpoint
  the method settings of examples apply to the method they belong to

neon options:
  --model <m>            kmeans or kde (required)
  --k <n>                k-means clusters (default 10); --n-init <n> restarts (default 10)
  --gamma <g>            KDE bandwidth in exp(-g ||x - u||^2) (default: 1 / median squared distance)
  --space <s>            input (default) or representation (the manifest's representationLayer;
                         relevance continues to the input by LRP)
  --explain <e>          cluster (k-means, default), outlier (KDE, default) or inlier (KDE)
  --beta <b>             soft-argmin stiffness (cluster, outlier)
  --features <H>         random Fourier features per draw (inlier, default 2500)
  --draws <n>            draws behind the error bars (inlier, default 10)
  --fit-examples <n>     training examples to fit on (default: all, at most 2000 in input space
                         and 10000 in representation space; a seeded subsample above)
  --examples <n> | --indices <i,j,...>   test examples (default 0..7, at most 64)
  --seed <s>             seeds the subsample, gamma's pairs, k-means++ and the draws (default 0)

semantic options:
  --representation <r>   fourier (default) or vae (a VAE run with a declared decoder:
                         --vae-manifest <manifest> (default: this one), --vae-checkpoint <path>)
  --bins <b>             Fourier radius bins (default 6)
  --scope <s>            local (default) or global (also the mean and mean |value| over the examples)
  --class <k>            explain class k (default: each example's predicted class)
  --background <n>       training examples marginalised over (default 32)
  --method <m>           auto (default: exact up to 12 features), exact or permutation
  --samples <n>          permutations (even; default 512)
  --examples <n> | --indices <i,j,...>   test examples (default 0..7)
  --seed <s>             seeds the background sample and the permutations (default 0)

invariance options (the manifest is a supervised VAE run):
  --kind <k>             samples, curve, counterfactuals or divergence (required)
  --indices <i,j,...>    test examples (default 0..3; curve: --examples <n>, a seeded sample, default 100)
  --sigma <s>            σ of the resampled units (default 1); curve: a list (default 0.5,1,1.5,2,3,4);
                         divergence: of the invariant baselines (with --baseline invariant)
  --count <n>            samples per example (samples: 16; curve: 20 per σ)
  --background <n>       counterfactuals: training examples behind the class means (default 1000);
                         divergence: baselines (default 32)
  --step-size <t> --max-step <t>   counterfactuals: the step along z1 toward a class mean (0.05, 2)
  --criterion <c>        counterfactuals: decoded (default: the decoded image must be read as the
                         class too) or latent (p(y|z1) alone)
  --baseline <b>         divergence: train (default) or invariant
  --samples <n> --noise <s>        divergence: GradientSHAP samples (50) and input noise (0)
  --seed <s>             seeds every draw (default 0)
  --out <dir>            write PNGs (galleries, counterfactuals, maps) or the curve as CSV

neon, semantic and invariance also take --json <file.json> and --batch-size <n>.

example options (all five commands):
  --json <file.json>     also write the result as JSON
  --batch-size <n>       examples per batch (changes speed and memory, not results)

common options:
  --checkpoint <path>    the checkpoint to explain, as written in the manifest (default: the last)
  --backend <name>       force a TensorFlow.js backend: tensorflow, wasm or cpu`;
