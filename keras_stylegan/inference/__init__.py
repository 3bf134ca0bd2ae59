"""Inference: z by seed (latents), the generator as graph functions to uint8 images (sampler), the paper's
figures (figures), interpolation paths (paths), grids, PNG / GIF / MP4 writing (grid, image_io, video)."""
