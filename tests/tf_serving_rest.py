"""TF Serving's REST :predict JSON, decoded and encoded as the model server does (its documented rules),
so that tests can run a JSON body through the exported signature the server would run.

Row format: ``{"instances": [...]}``: each instance is an object of named inputs (or a bare value for a
one-input signature); every input is stacked across instances into a batch. Columnar format:
``{"inputs": {...}}``: each input is the tensor as written. Values take the signature's input dtypes,
and every input of the signature must be given. Replies: ``{"predictions": [per instance]}`` (one
output: its values; several: an object per instance) or ``{"outputs": ...}``.
"""

import numpy as np


def decode_request(body, signature):
    """{input name: numpy array} from a :predict body for a signature (a loaded ConcreteFunction)."""
    specs = signature.structured_input_signature[1]
    if "instances" in body:
        instances = body["instances"]
        if all(isinstance(instance, dict) for instance in instances):
            columns = {name: [instance[name] for instance in instances] for name in instances[0]}
        else:
            columns = {_only(specs): instances}
    else:
        inputs = body["inputs"]
        columns = inputs if isinstance(inputs, dict) else {_only(specs): inputs}
    if set(columns) != set(specs):
        raise ValueError(f"input size does not match signature: {sorted(columns)} != {sorted(specs)}")
    return {name: np.asarray(value, dtype=specs[name].dtype.as_numpy_dtype) for name, value in columns.items()}


def encode_response(outputs, row_format):
    """The JSON-ready reply for the signature's outputs {name: numpy array}."""
    outputs = {name: np.asarray(value).tolist() for name, value in outputs.items()}
    if row_format:
        if len(outputs) == 1:
            return {"predictions": next(iter(outputs.values()))}
        count = len(next(iter(outputs.values())))
        return {"predictions": [{name: value[i] for name, value in outputs.items()} for i in range(count)]}
    return {"outputs": next(iter(outputs.values())) if len(outputs) == 1 else outputs}


def _only(specs):
    if len(specs) != 1:
        raise ValueError(f"unnamed instances need a signature with one input, this one has {sorted(specs)}")
    return next(iter(specs))
