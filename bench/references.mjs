// Reference figures from issue #10 (and #5, #6, #12), measured on the project's 2-core machines.
export const REFERENCES = [
  { work: '`rgb2lab`, 1024×1024 uint8 (scikit-image 0.19)', reference: '18.7 Mpix/s', source: 'issue #10 (#4)' },
  { work: '`lab2rgb`, 1024×1024 (scikit-image 0.19)', reference: '21.6 Mpix/s', source: 'issue #10 (#4)' },
  { work: 'generator inference, batch 16, 128 px, base 64 / base 32 (PyTorch)', reference: '1.72–1.74 s / 0.37–0.45 s', source: 'issue #10 (#5)' },
  { work: 'generator inference, same, onnxruntime-node 1.30', reference: '0.804 s / 0.210 s', source: 'issue #12' },
  {
    work: 'WGAN-GP iteration (1 critic step with GP + 2 generator steps), batch 16: base 64 at 128 px / at 64 px; base 32 at 128 px / at 64 px (PyTorch)',
    reference: '11.7–14.7 / 3.5 / 4.3–4.5 / 1.2–1.8 s',
    source: 'issue #10 (#6)',
  },
];
