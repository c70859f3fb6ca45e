/**
 * The Node entry of `@colorize/core`: everything of the main entry, plus {@link fileSystem} model
 * files, registered for `file://` URLs on import.
 *
 * @packageDocumentation
 */
import { registerFileSystemRouters } from './io/file-system.js';

registerFileSystemRouters();

export * from './index.js';
export { syncFolder, writeFileAtomic } from './io/atomic-write.js';
export { fileSystem, registerFileSystemRouters } from './io/file-system.js';
