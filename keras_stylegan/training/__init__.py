"""Training: progressive schedule, GAN losses, the StyleGAN keras.Model (train_step), precision and
distribution helpers, and the runner that ties them to a dataset."""
