/**
 * The Node entry of `@colorize/train`: everything of the main entry, plus folder checkpoints,
 * image datasets decoded with sharp, and data-parallel training on worker threads.
 *
 * @packageDocumentation
 */
export * from './index.js';
export { fileCheckpoints } from './file-checkpoints.js';
export type { FileCheckpointsOptions } from './file-checkpoints.js';
export { demoPhotos, demoPhotosDir } from './data/demo-photos.node.js';
export { imageFolder, IMAGE_EXTENSIONS } from './data/image-dataset.node.js';
export type { ImageFolderOptions, LocalImageDatasetOptions } from './data/image-dataset.node.js';
export { cacheDir, flowers102, FLOWERS102, imageArchive } from './data/flowers102.node.js';
export type { Flowers102Options, ImageArchiveOptions } from './data/flowers102.node.js';
export type { DownloadProgress } from './data/download.node.js';
export { startWorkerReplicas } from './worker-replicas.node.js';
export type { WorkerReplicasOptions } from './worker-replicas.node.js';
