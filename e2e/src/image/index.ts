export { privatePodman, podmanWorks, type Podman } from './podman.js';
export { ensureTestImage, type BuiltImage } from './image-build.js';
