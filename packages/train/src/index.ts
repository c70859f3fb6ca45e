/**
 * The seed's training, usable with colorize's models or any tfjs models you compose: losses,
 * the WGAN-GP gradient penalty, an L1 pretrainer and a WGAN-GP trainer with callbacks,
 * validation, checkpoints and exact resume, and the data they train on.
 *
 * In Node, the package also gives folder checkpoints ({@link fileCheckpoints}) and image
 * datasets read with sharp.
 *
 * @example
 * ```ts
 * import { buildUNet, buildPatchCritic } from '@colorize/models';
 * import { createWganGpTrainer, pretrainGenerator } from '@colorize/train';
 * const generator = buildUNet();
 * await pretrainGenerator(generator, data, { epochs: 5 });
 * const trainer = createWganGpTrainer({ generator, critic: buildPatchCritic() });
 * await trainer.fit(data, { epochs: 110, validation });
 * ```
 * @packageDocumentation
 */
export { abClassificationLoss, abClassPrior, abClassTargets, abClassWeights } from './ab-classes.js';
export type { AbClassTargetOptions } from './ab-classes.js';
export type { ClassificationSettings } from './classification-head.js';
export { ADAM_DEFAULTS } from './adam.js';
export type { AdamOptions, NamedTensor } from './adam.js';
export type { Critic } from './critic-fn.js';
export { evaluateGenerator } from './evaluate.js';
export type { ValidationResult } from './evaluate.js';
export { gradientPenalty } from './gradient-penalty.js';
export type { GradientPenaltyOptions } from './gradient-penalty.js';
export { createL1Trainer, pretrainGenerator } from './l1-trainer.js';
export type { L1Logs, L1TrainerOptions, PretrainOptions } from './l1-trainer.js';
export type { LabBatch, LabDataset } from './lab-batch.js';
export { criticLoss, generatorAdversarialLoss, l1Loss, psnrLoss } from './losses.js';
export type { ReconstructionLoss } from './losses.js';
export { deriveSeed, SeededRandom } from './random.js';
export { hintSeed, revealHints } from './reveal-hints.js';
export type { RevealHintsOptions } from './reveal-hints.js';
export type { GradientReplicas } from './replicas.js';
export { sampleGrid } from './sample-grid.js';
export type { SampleGrid } from './sample-grid.js';
export type { ImageDataset, ImageDatasetOptions } from './data/image-dataset.js';
export { imageSources } from './data/image-sources.js';
export type { ImageSource, ImageSourcesOptions } from './data/image-sources.js';
export { simulateHints, withSimulatedHints } from './data/simulated-hints.js';
export type { SimulatedHintOptions } from './data/simulated-hints.js';
export { splitFiles, SPLIT_FRACTIONS } from './data/split.js';
export type { Split } from './data/split.js';
export type { StepGradients, StepLossJob, StepLossName, StepLossSettings, StepModels } from './step-loss.js';
export { tensorDataset } from './tensor-dataset.js';
export type { TensorDatasetOptions } from './tensor-dataset.js';
export type {
  BatchLogs,
  CheckpointStore,
  EpochLogs,
  FitOptions,
  FitResult,
  Trainer,
  TrainerSnapshot,
  TrainingCallbacks,
  TrainingPosition,
} from './trainer.js';
export { weightAverage } from './weight-average.js';
export type { WeightAverage } from './weight-average.js';
export { createWganGpTrainer } from './wgan-gp-trainer.js';
export type { WganGpLogs, WganGpTrainerOptions } from './wgan-gp-trainer.js';
