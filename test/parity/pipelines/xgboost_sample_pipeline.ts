import { Artifact, artifact, component, param, pipeline, type PipelineNode } from '@typeflow/dsl'

export const golden = 'legacy/pipelines/xgboost_sample_pipeline.yaml'

const xgboostTrainOnCsv = component({
  name: 'xgboost-train',
  image: 'python:3.7',
  inputs: {
    starting_model: artifact(Artifact, { optional: true }),
    training_data: artifact(Artifact),
    booster: param.string({ default: 'gbtree' }),
    booster_params: param.struct({ optional: true }),
    label_column: param.int({ default: 0 }),
    learning_rate: param.float({ default: 0.3 }),
    max_depth: param.int({ default: 6 }),
    min_split_loss: param.float({ default: 0 }),
    num_iterations: param.int({ default: 10 }),
    objective: param.string({ default: 'reg:squarederror' }),
  },
  outputs: { model: artifact(Artifact), model_config: artifact(Artifact) },
  command: [
    'sh',
    '-c',
    '(PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip install --quiet --no-warn-script-location \'xgboost==1.1.1\' \'pandas==1.0.5\' || PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip install --quiet --no-warn-script-location \'xgboost==1.1.1\' \'pandas==1.0.5\' --user) && "$0" "$@"',
    'python3',
    '-u',
    '-c',
    `def _make_parent_dirs_and_return_path(file_path: str):
    import os
    os.makedirs(os.path.dirname(file_path), exist_ok=True)
    return file_path

def xgboost_train(
    training_data_path,  # Also supports LibSVM
    model_path,
    model_config_path,
    starting_model_path = None,

    label_column = 0,
    num_iterations = 10,
    booster_params = None,

    # Booster parameters
    objective = 'reg:squarederror',
    booster = 'gbtree',
    learning_rate = 0.3,
    min_split_loss = 0,
    max_depth = 6,
):
    '''Train an XGBoost model.

    Args:
        training_data_path: Path for the training data in CSV format.
        model_path: Output path for the trained model in binary XGBoost format.
        model_config_path: Output path for the internal parameter configuration of Booster as a JSON string.
        starting_model_path: Path for the existing trained model to start from.
        label_column: Column containing the label data.
        num_boost_rounds: Number of boosting iterations.
        booster_params: Parameters for the booster. See https://xgboost.readthedocs.io/en/latest/parameter.html
        objective: The learning task and the corresponding learning objective.
            See https://xgboost.readthedocs.io/en/latest/parameter.html#learning-task-parameters
            The most common values are:
            "reg:squarederror" - Regression with squared loss (default).
            "reg:logistic" - Logistic regression.
            "binary:logistic" - Logistic regression for binary classification, output probability.
            "binary:logitraw" - Logistic regression for binary classification, output score before logistic transformation
            "rank:pairwise" - Use LambdaMART to perform pairwise ranking where the pairwise loss is minimized
            "rank:ndcg" - Use LambdaMART to perform list-wise ranking where Normalized Discounted Cumulative Gain (NDCG) is maximized

    Annotations:
        author: Alexey Volkov <alexey.volkov@ark-kun.com>
    '''
    import pandas
    import xgboost

    df = pandas.read_csv(
        training_data_path,
    )

    training_data = xgboost.DMatrix(
        data=df.drop(columns=[df.columns[label_column]]),
        label=df[df.columns[label_column]],
    )

    booster_params = booster_params or {}
    booster_params.setdefault('objective', objective)
    booster_params.setdefault('booster', booster)
    booster_params.setdefault('learning_rate', learning_rate)
    booster_params.setdefault('min_split_loss', min_split_loss)
    booster_params.setdefault('max_depth', max_depth)

    starting_model = None
    if starting_model_path:
        starting_model = xgboost.Booster(model_file=starting_model_path)

    model = xgboost.train(
        params=booster_params,
        dtrain=training_data,
        num_boost_round=num_iterations,
        xgb_model=starting_model
    )

    # Saving the model in binary format
    model.save_model(model_path)

    model_config_str = model.save_config()
    with open(model_config_path, 'w') as model_config_file:
        model_config_file.write(model_config_str)

import json
import argparse
_parser = argparse.ArgumentParser(prog='Xgboost train', description='Train an XGBoost model.\\n\\n    Args:\\n        training_data_path: Path for the training data in CSV format.\\n        model_path: Output path for the trained model in binary XGBoost format.\\n        model_config_path: Output path for the internal parameter configuration of Booster as a JSON string.\\n        starting_model_path: Path for the existing trained model to start from.\\n        label_column: Column containing the label data.\\n        num_boost_rounds: Number of boosting iterations.\\n        booster_params: Parameters for the booster. See https://xgboost.readthedocs.io/en/latest/parameter.html\\n        objective: The learning task and the corresponding learning objective.\\n            See https://xgboost.readthedocs.io/en/latest/parameter.html#learning-task-parameters\\n            The most common values are:\\n            "reg:squarederror" - Regression with squared loss (default).\\n            "reg:logistic" - Logistic regression.\\n            "binary:logistic" - Logistic regression for binary classification, output probability.\\n            "binary:logitraw" - Logistic regression for binary classification, output score before logistic transformation\\n            "rank:pairwise" - Use LambdaMART to perform pairwise ranking where the pairwise loss is minimized\\n            "rank:ndcg" - Use LambdaMART to perform list-wise ranking where Normalized Discounted Cumulative Gain (NDCG) is maximized\\n\\n    Annotations:\\n        author: Alexey Volkov <alexey.volkov@ark-kun.com>')
_parser.add_argument("--training-data", dest="training_data_path", type=str, required=True, default=argparse.SUPPRESS)
_parser.add_argument("--starting-model", dest="starting_model_path", type=str, required=False, default=argparse.SUPPRESS)
_parser.add_argument("--label-column", dest="label_column", type=int, required=False, default=argparse.SUPPRESS)
_parser.add_argument("--num-iterations", dest="num_iterations", type=int, required=False, default=argparse.SUPPRESS)
_parser.add_argument("--booster-params", dest="booster_params", type=json.loads, required=False, default=argparse.SUPPRESS)
_parser.add_argument("--objective", dest="objective", type=str, required=False, default=argparse.SUPPRESS)
_parser.add_argument("--booster", dest="booster", type=str, required=False, default=argparse.SUPPRESS)
_parser.add_argument("--learning-rate", dest="learning_rate", type=float, required=False, default=argparse.SUPPRESS)
_parser.add_argument("--min-split-loss", dest="min_split_loss", type=float, required=False, default=argparse.SUPPRESS)
_parser.add_argument("--max-depth", dest="max_depth", type=int, required=False, default=argparse.SUPPRESS)
_parser.add_argument("--model", dest="model_path", type=_make_parent_dirs_and_return_path, required=True, default=argparse.SUPPRESS)
_parser.add_argument("--model-config", dest="model_config_path", type=_make_parent_dirs_and_return_path, required=True, default=argparse.SUPPRESS)
_parsed_args = vars(_parser.parse_args())

_outputs = xgboost_train(**_parsed_args)
`,
  ],
  args: ({ inputs, ifPresent, outputs }) => [
    '--training-data',
    inputs.training_data.path,
    ifPresent('starting_model', ['--starting-model', inputs.starting_model.path]),
    ifPresent('label_column', ['--label-column', inputs.label_column.value]),
    ifPresent('num_iterations', ['--num-iterations', inputs.num_iterations.value]),
    ifPresent('booster_params', ['--booster-params', inputs.booster_params.value]),
    ifPresent('objective', ['--objective', inputs.objective.value]),
    ifPresent('booster', ['--booster', inputs.booster.value]),
    ifPresent('learning_rate', ['--learning-rate', inputs.learning_rate.value]),
    ifPresent('min_split_loss', ['--min-split-loss', inputs.min_split_loss.value]),
    ifPresent('max_depth', ['--max-depth', inputs.max_depth.value]),
    '--model',
    outputs.model.path,
    '--model-config',
    outputs.model_config.path,
  ],
})

const xgboostPredictOnCsv = component({
  name: 'xgboost-predict',
  image: 'python:3.7',
  inputs: {
    data: artifact(Artifact),
    model: artifact(Artifact),
    label_column: param.int({ optional: true }),
  },
  outputs: { predictions: artifact(Artifact) },
  command: [
    'sh',
    '-c',
    '(PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip install --quiet --no-warn-script-location \'xgboost==1.1.1\' \'pandas==1.0.5\' || PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip install --quiet --no-warn-script-location \'xgboost==1.1.1\' \'pandas==1.0.5\' --user) && "$0" "$@"',
    'python3',
    '-u',
    '-c',
    `def _make_parent_dirs_and_return_path(file_path: str):
    import os
    os.makedirs(os.path.dirname(file_path), exist_ok=True)
    return file_path

def xgboost_predict(
    data_path,  # Also supports LibSVM
    model_path,
    predictions_path,
    label_column = None,
):
    '''Make predictions using a trained XGBoost model.

    Args:
        data_path: Path for the feature data in CSV format.
        model_path: Path for the trained model in binary XGBoost format.
        predictions_path: Output path for the predictions.
        label_column: Column containing the label data.

    Annotations:
        author: Alexey Volkov <alexey.volkov@ark-kun.com>
    '''
    from pathlib import Path

    import numpy
    import pandas
    import xgboost

    df = pandas.read_csv(
        data_path,
    )

    if label_column is not None:
        df = df.drop(columns=[df.columns[label_column]])

    testing_data = xgboost.DMatrix(
        data=df,
    )

    model = xgboost.Booster(model_file=model_path)

    predictions = model.predict(testing_data)

    Path(predictions_path).parent.mkdir(parents=True, exist_ok=True)
    numpy.savetxt(predictions_path, predictions)

import argparse
_parser = argparse.ArgumentParser(prog='Xgboost predict', description='Make predictions using a trained XGBoost model.\\n\\n    Args:\\n        data_path: Path for the feature data in CSV format.\\n        model_path: Path for the trained model in binary XGBoost format.\\n        predictions_path: Output path for the predictions.\\n        label_column: Column containing the label data.\\n\\n    Annotations:\\n        author: Alexey Volkov <alexey.volkov@ark-kun.com>')
_parser.add_argument("--data", dest="data_path", type=str, required=True, default=argparse.SUPPRESS)
_parser.add_argument("--model", dest="model_path", type=str, required=True, default=argparse.SUPPRESS)
_parser.add_argument("--label-column", dest="label_column", type=int, required=False, default=argparse.SUPPRESS)
_parser.add_argument("--predictions", dest="predictions_path", type=_make_parent_dirs_and_return_path, required=True, default=argparse.SUPPRESS)
_parsed_args = vars(_parser.parse_args())

_outputs = xgboost_predict(**_parsed_args)
`,
  ],
  args: ({ inputs, ifPresent, outputs }) => [
    '--data',
    inputs.data.path,
    '--model',
    inputs.model.path,
    ifPresent('label_column', ['--label-column', inputs.label_column.value]),
    '--predictions',
    outputs.predictions.path,
  ],
})

const xgboostTrainOnParquet = component({
  name: 'xgboost-train',
  image: 'python:3.7',
  inputs: {
    starting_model: artifact(Artifact, { optional: true }),
    training_data: artifact(Artifact),
    booster: param.string({ default: 'gbtree' }),
    booster_params: param.struct({ optional: true }),
    label_column_name: param.string(),
    learning_rate: param.float({ default: 0.3 }),
    max_depth: param.int({ default: 6 }),
    min_split_loss: param.float({ default: 0 }),
    num_iterations: param.int({ default: 10 }),
    objective: param.string({ default: 'reg:squarederror' }),
  },
  outputs: { model: artifact(Artifact), model_config: artifact(Artifact) },
  command: [
    'sh',
    '-c',
    '(PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip install --quiet --no-warn-script-location \'xgboost==1.1.1\' \'pandas==1.0.5\' \'pyarrow==0.17.1\' || PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip install --quiet --no-warn-script-location \'xgboost==1.1.1\' \'pandas==1.0.5\' \'pyarrow==0.17.1\' --user) && "$0" "$@"',
    'python3',
    '-u',
    '-c',
    `def _make_parent_dirs_and_return_path(file_path: str):
    import os
    os.makedirs(os.path.dirname(file_path), exist_ok=True)
    return file_path

def xgboost_train(
    training_data_path,
    model_path,
    model_config_path,
    label_column_name,

    starting_model_path = None,

    num_iterations = 10,
    booster_params = None,

    # Booster parameters
    objective = 'reg:squarederror',
    booster = 'gbtree',
    learning_rate = 0.3,
    min_split_loss = 0,
    max_depth = 6,
):
    '''Train an XGBoost model.

    Args:
        training_data_path: Path for the training data in Apache Parquet format.
        model_path: Output path for the trained model in binary XGBoost format.
        model_config_path: Output path for the internal parameter configuration of Booster as a JSON string.
        starting_model_path: Path for the existing trained model to start from.
        label_column_name: Name of the column containing the label data.
        num_boost_rounds: Number of boosting iterations.
        booster_params: Parameters for the booster. See https://xgboost.readthedocs.io/en/latest/parameter.html
        objective: The learning task and the corresponding learning objective.
            See https://xgboost.readthedocs.io/en/latest/parameter.html#learning-task-parameters
            The most common values are:
            "reg:squarederror" - Regression with squared loss (default).
            "reg:logistic" - Logistic regression.
            "binary:logistic" - Logistic regression for binary classification, output probability.
            "binary:logitraw" - Logistic regression for binary classification, output score before logistic transformation
            "rank:pairwise" - Use LambdaMART to perform pairwise ranking where the pairwise loss is minimized
            "rank:ndcg" - Use LambdaMART to perform list-wise ranking where Normalized Discounted Cumulative Gain (NDCG) is maximized

    Annotations:
        author: Alexey Volkov <alexey.volkov@ark-kun.com>
    '''
    import pandas
    import xgboost

    # Loading data
    df = pandas.read_parquet(training_data_path)
    training_data = xgboost.DMatrix(
        data=df.drop(columns=[label_column_name]),
        label=df[[label_column_name]],
    )
    # Training
    booster_params = booster_params or {}
    booster_params.setdefault('objective', objective)
    booster_params.setdefault('booster', booster)
    booster_params.setdefault('learning_rate', learning_rate)
    booster_params.setdefault('min_split_loss', min_split_loss)
    booster_params.setdefault('max_depth', max_depth)

    starting_model = None
    if starting_model_path:
        starting_model = xgboost.Booster(model_file=starting_model_path)

    model = xgboost.train(
        params=booster_params,
        dtrain=training_data,
        num_boost_round=num_iterations,
        xgb_model=starting_model
    )

    # Saving the model in binary format
    model.save_model(model_path)

    model_config_str = model.save_config()
    with open(model_config_path, 'w') as model_config_file:
        model_config_file.write(model_config_str)

import json
import argparse
_parser = argparse.ArgumentParser(prog='Xgboost train', description='Train an XGBoost model.\\n\\n    Args:\\n        training_data_path: Path for the training data in Apache Parquet format.\\n        model_path: Output path for the trained model in binary XGBoost format.\\n        model_config_path: Output path for the internal parameter configuration of Booster as a JSON string.\\n        starting_model_path: Path for the existing trained model to start from.\\n        label_column_name: Name of the column containing the label data.\\n        num_boost_rounds: Number of boosting iterations.\\n        booster_params: Parameters for the booster. See https://xgboost.readthedocs.io/en/latest/parameter.html\\n        objective: The learning task and the corresponding learning objective.\\n            See https://xgboost.readthedocs.io/en/latest/parameter.html#learning-task-parameters\\n            The most common values are:\\n            "reg:squarederror" - Regression with squared loss (default).\\n            "reg:logistic" - Logistic regression.\\n            "binary:logistic" - Logistic regression for binary classification, output probability.\\n            "binary:logitraw" - Logistic regression for binary classification, output score before logistic transformation\\n            "rank:pairwise" - Use LambdaMART to perform pairwise ranking where the pairwise loss is minimized\\n            "rank:ndcg" - Use LambdaMART to perform list-wise ranking where Normalized Discounted Cumulative Gain (NDCG) is maximized\\n\\n    Annotations:\\n        author: Alexey Volkov <alexey.volkov@ark-kun.com>')
_parser.add_argument("--training-data", dest="training_data_path", type=str, required=True, default=argparse.SUPPRESS)
_parser.add_argument("--label-column-name", dest="label_column_name", type=str, required=True, default=argparse.SUPPRESS)
_parser.add_argument("--starting-model", dest="starting_model_path", type=str, required=False, default=argparse.SUPPRESS)
_parser.add_argument("--num-iterations", dest="num_iterations", type=int, required=False, default=argparse.SUPPRESS)
_parser.add_argument("--booster-params", dest="booster_params", type=json.loads, required=False, default=argparse.SUPPRESS)
_parser.add_argument("--objective", dest="objective", type=str, required=False, default=argparse.SUPPRESS)
_parser.add_argument("--booster", dest="booster", type=str, required=False, default=argparse.SUPPRESS)
_parser.add_argument("--learning-rate", dest="learning_rate", type=float, required=False, default=argparse.SUPPRESS)
_parser.add_argument("--min-split-loss", dest="min_split_loss", type=float, required=False, default=argparse.SUPPRESS)
_parser.add_argument("--max-depth", dest="max_depth", type=int, required=False, default=argparse.SUPPRESS)
_parser.add_argument("--model", dest="model_path", type=_make_parent_dirs_and_return_path, required=True, default=argparse.SUPPRESS)
_parser.add_argument("--model-config", dest="model_config_path", type=_make_parent_dirs_and_return_path, required=True, default=argparse.SUPPRESS)
_parsed_args = vars(_parser.parse_args())

_outputs = xgboost_train(**_parsed_args)
`,
  ],
  args: ({ inputs, ifPresent, outputs }) => [
    '--training-data',
    inputs.training_data.path,
    '--label-column-name',
    inputs.label_column_name.value,
    ifPresent('starting_model', ['--starting-model', inputs.starting_model.path]),
    ifPresent('num_iterations', ['--num-iterations', inputs.num_iterations.value]),
    ifPresent('booster_params', ['--booster-params', inputs.booster_params.value]),
    ifPresent('objective', ['--objective', inputs.objective.value]),
    ifPresent('booster', ['--booster', inputs.booster.value]),
    ifPresent('learning_rate', ['--learning-rate', inputs.learning_rate.value]),
    ifPresent('min_split_loss', ['--min-split-loss', inputs.min_split_loss.value]),
    ifPresent('max_depth', ['--max-depth', inputs.max_depth.value]),
    '--model',
    outputs.model.path,
    '--model-config',
    outputs.model_config.path,
  ],
})

const xgboostPredictOnParquet = component({
  name: 'xgboost-predict',
  image: 'python:3.7',
  inputs: {
    data: artifact(Artifact),
    model: artifact(Artifact),
    label_column_name: param.string({ optional: true }),
  },
  outputs: { predictions: artifact(Artifact) },
  command: [
    'sh',
    '-c',
    '(PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip install --quiet --no-warn-script-location \'xgboost==1.1.1\' \'pandas==1.0.5\' \'pyarrow==0.17.1\' || PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip install --quiet --no-warn-script-location \'xgboost==1.1.1\' \'pandas==1.0.5\' \'pyarrow==0.17.1\' --user) && "$0" "$@"',
    'python3',
    '-u',
    '-c',
    `def _make_parent_dirs_and_return_path(file_path: str):
    import os
    os.makedirs(os.path.dirname(file_path), exist_ok=True)
    return file_path

def xgboost_predict(
    data_path,
    model_path,
    predictions_path,
    label_column_name = None,
):
    '''Make predictions using a trained XGBoost model.

    Args:
        data_path: Path for the feature data in Apache Parquet format.
        model_path: Path for the trained model in binary XGBoost format.
        predictions_path: Output path for the predictions.
        label_column_name: Optional. Name of the column containing the label data that is excluded during the prediction.

    Annotations:
        author: Alexey Volkov <alexey.volkov@ark-kun.com>
    '''
    from pathlib import Path

    import numpy
    import pandas
    import xgboost

    # Loading data
    df = pandas.read_parquet(data_path)
    if label_column_name:
        df = df.drop(columns=[label_column_name])

    evaluation_data = xgboost.DMatrix(
        data=df,
    )

    # Training
    model = xgboost.Booster(model_file=model_path)

    predictions = model.predict(evaluation_data)

    Path(predictions_path).parent.mkdir(parents=True, exist_ok=True)
    numpy.savetxt(predictions_path, predictions)

import argparse
_parser = argparse.ArgumentParser(prog='Xgboost predict', description='Make predictions using a trained XGBoost model.\\n\\n    Args:\\n        data_path: Path for the feature data in Apache Parquet format.\\n        model_path: Path for the trained model in binary XGBoost format.\\n        predictions_path: Output path for the predictions.\\n        label_column_name: Optional. Name of the column containing the label data that is excluded during the prediction.\\n\\n    Annotations:\\n        author: Alexey Volkov <alexey.volkov@ark-kun.com>')
_parser.add_argument("--data", dest="data_path", type=str, required=True, default=argparse.SUPPRESS)
_parser.add_argument("--model", dest="model_path", type=str, required=True, default=argparse.SUPPRESS)
_parser.add_argument("--label-column-name", dest="label_column_name", type=str, required=False, default=argparse.SUPPRESS)
_parser.add_argument("--predictions", dest="predictions_path", type=_make_parent_dirs_and_return_path, required=True, default=argparse.SUPPRESS)
_parsed_args = vars(_parser.parse_args())

_outputs = xgboost_predict(**_parsed_args)
`,
  ],
  args: ({ inputs, ifPresent, outputs }) => [
    '--data',
    inputs.data.path,
    '--model',
    inputs.model.path,
    ifPresent('label_column_name', ['--label-column-name', inputs.label_column_name.value]),
    '--predictions',
    outputs.predictions.path,
  ],
})

const chicagoTaxiTripsDataset = component({
  name: 'chicago-taxi-trips-dataset',
  image: 'byrnedo/alpine-curl@sha256:548379d0a4a0c08b9e55d9d87a592b7d35d9ab3037f4936f5ccd09d0b625a342',
  inputs: {
    format: param.string({ default: 'csv' }),
    limit: param.int({ default: 1000 }),
    select: param.string({ default: 'trip_id,taxi_id,trip_start_timestamp,trip_end_timestamp,trip_seconds,trip_miles,pickup_census_tract,dropoff_census_tract,pickup_community_area,dropoff_community_area,fare,tips,tolls,extras,trip_total,payment_type,company,pickup_centroid_latitude,pickup_centroid_longitude,pickup_centroid_location,dropoff_centroid_latitude,dropoff_centroid_longitude,dropoff_centroid_location' }),
    where: param.string({ default: 'trip_start_timestamp>="1900-01-01" AND trip_start_timestamp<"2100-01-01"' }),
  },
  outputs: { table: artifact(Artifact) },
  command: ({ outputs, inputs }) => [
    'sh',
    '-c',
    `set -e -x -o pipefail
output_path="$0"
select="$1"
where="$2"
limit="$3"
format="$4"
mkdir -p "$(dirname "$output_path")"
curl --get 'https://data.cityofchicago.org/resource/wrvz-psew.'"\${format}" \\
    --data-urlencode '$limit='"\${limit}" \\
    --data-urlencode '$where='"\${where}" \\
    --data-urlencode '$select='"\${select}" \\
    | tr -d '"' > "$output_path"  # Removing unneeded quotes around all numbers
`,
    outputs.table.path,
    inputs.select.value,
    inputs.where.value,
    inputs.limit.value,
    inputs.format.value,
  ],
})

const convertCsvToApacheParquet = component({
  name: 'convert-csv-to-apache-parquet',
  image: 'python:3.7',
  inputs: { data: artifact(Artifact) },
  outputs: { output_data: artifact(Artifact) },
  command: [
    'sh',
    '-c',
    '(PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip install --quiet --no-warn-script-location \'pyarrow==0.17.1\' || PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip install --quiet --no-warn-script-location \'pyarrow==0.17.1\' --user) && "$0" "$@"',
    'python3',
    '-u',
    '-c',
    `def _make_parent_dirs_and_return_path(file_path: str):
    import os
    os.makedirs(os.path.dirname(file_path), exist_ok=True)
    return file_path

def convert_csv_to_apache_parquet(
    data_path,
    output_data_path,
):
    '''Converts CSV table to Apache Parquet.

    [Apache Parquet](https://parquet.apache.org/)

    Annotations:
        author: Alexey Volkov <alexey.volkov@ark-kun.com>
    '''
    from pyarrow import csv, parquet

    table = csv.read_csv(data_path)
    parquet.write_table(table, output_data_path)

import argparse
_parser = argparse.ArgumentParser(prog='Convert csv to apache parquet', description='Converts CSV table to Apache Parquet.\\n\\n    [Apache Parquet](https://parquet.apache.org/)\\n\\n    Annotations:\\n        author: Alexey Volkov <alexey.volkov@ark-kun.com>')
_parser.add_argument("--data", dest="data_path", type=str, required=True, default=argparse.SUPPRESS)
_parser.add_argument("--output-data", dest="output_data_path", type=_make_parent_dirs_and_return_path, required=True, default=argparse.SUPPRESS)
_parsed_args = vars(_parser.parse_args())
_output_files = _parsed_args.pop("_output_paths", [])

_outputs = convert_csv_to_apache_parquet(**_parsed_args)

_output_serializers = [

]

import os
for idx, output_file in enumerate(_output_files):
    try:
        os.makedirs(os.path.dirname(output_file))
    except OSError:
        pass
    with open(output_file, 'w') as f:
        f.write(_output_serializers[idx](_outputs[idx]))
`,
  ],
  args: ({ inputs, outputs }) => ['--data', inputs.data.path, '--output-data', outputs.output_data.path],
})

export function build(): PipelineNode {
  return pipeline({ name: 'xgboost-sample-pipeline' }, (dag) => {
    const trainingDataCsv = dag.task(chicagoTaxiTripsDataset, {
      limit: 10000,
      select: 'tips,trip_seconds,trip_miles,pickup_community_area,dropoff_community_area,fare,tolls,extras,trip_total',
      where: 'trip_start_timestamp >= "2019-01-01" AND trip_start_timestamp < "2019-02-01"',
    }).outputs.table

    // Training and prediction on the data set in CSV format.
    const modelTrainedOnCsv = dag.task(xgboostTrainOnCsv, {
      training_data: trainingDataCsv,
      label_column: 0,
      num_iterations: 200,
      objective: 'reg:squarederror',
    }).outputs.model
    dag.task(xgboostPredictOnCsv, { data: trainingDataCsv, model: modelTrainedOnCsv, label_column: 0 })

    // Training and prediction on the data set in Apache Parquet format.
    const trainingDataParquet = dag.task(convertCsvToApacheParquet, { data: trainingDataCsv }).outputs.output_data
    const modelTrainedOnParquet = dag.task(xgboostTrainOnParquet, {
      training_data: trainingDataParquet,
      label_column_name: 'tips',
      num_iterations: 200,
      objective: 'reg:squarederror',
    }).outputs.model
    dag.task(xgboostPredictOnParquet, { data: trainingDataParquet, model: modelTrainedOnParquet, label_column_name: 'tips' })

    // Cross-format predictions.
    dag.task(xgboostPredictOnParquet, { data: trainingDataParquet, model: modelTrainedOnCsv, label_column_name: 'tips' })
    dag.task(xgboostPredictOnCsv, { data: trainingDataCsv, model: modelTrainedOnParquet, label_column: 0 })
  })
}
