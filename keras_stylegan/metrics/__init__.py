"""Quality metrics of generated images: SWD and MS-SSIM (ProGAN), FID and PPL (StyleGAN); one file a
metric (PPL's LPIPS distance in its own), their names in ``registry``."""

from keras_stylegan.metrics.registry import (METRICS, METRICS_FILE, MetricInputs, MetricOptions, append_record,
                                            check_options, evaluate, parse_metrics, read_records)

__all__ = ["METRICS", "METRICS_FILE", "MetricInputs", "MetricOptions", "append_record", "check_options", "evaluate",
           "parse_metrics", "read_records"]
