import type { StepGradients, StepLossJob, StepModels } from './step-loss.js';

/**
 * Where a trainer computes each step's gradients when one thread is not enough: replicas of its
 * models, each computing the gradient on its share of the batch, averaged by share size (data
 * parallelism). {@link startWorkerReplicas} makes them on worker threads in Node; give the same
 * replicas to {@link createL1Trainer} and {@link createWganGpTrainer} through their `replicas`
 * option.
 *
 * Each loss the trainers use is a mean over the images of a batch, so the average of the shares'
 * gradients is the whole batch's gradient, except through BatchNorm, whose statistics are then
 * those of each share (as in PyTorch's `DistributedDataParallel` without `SyncBatchNorm`). Its
 * moving statistics are averaged the same way, which for the moving mean equals one update with
 * the whole batch's mean.
 *
 * @group Training
 */
export interface GradientReplicas {
  /** How many replicas share a batch, this thread's included. */
  readonly count: number;
  /**
   * The gradient of `job` over its whole batch, from every replica's share (a batch smaller than
   * `count` uses fewer). The models' weights are sent with each job, so the replicas follow any
   * change to them (an optimizer step, a restored checkpoint).
   */
  gradients(job: StepLossJob, models: StepModels): Promise<StepGradients>;
  /** Stops the replicas' threads. Trainers that used them cannot step afterwards. */
  close(): Promise<void>;
}
