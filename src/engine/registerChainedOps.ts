// tfjs-layers calls chained tensor methods (for example the Orthogonal initialiser's
// `rMat.flatten()`), which tfjs-core only installs when this module is loaded; the
// @tensorflow/tfjs union package normally does it. Loading a user's model can build such
// initialisers, so the engine registers them once before any model is loaded.
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
