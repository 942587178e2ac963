export { privatePodman, podmanWorks, type Podman } from './podman.js';
export { ensureTestImage, imageInputDigest, TEST_IMAGE_REPOSITORY, type BuiltImage } from './image-build.js';
