/**
 * The U-Net generator and PatchGAN critic of the colorization GAN, as tfjs-layers builders.
 *
 * Not yet released: the builders are tracked in issue 5.
 *
 * @packageDocumentation
 */
export {};
