"""Estimators and the preprocessing that makes them take raw feature rows.

Every model is a scikit-learn ``Pipeline(preprocess → estimator)``. ``preprocess`` is a
``ColumnTransformer`` that selects columns *by position* in the schema's ``features`` order,
so the same pickled pipeline predicts from a pandas frame, or from the plain list of lists a
Vertex prebuilt scikit-learn server turns into ``numpy.asarray(instances)`` — where mixed
instances become an array of strings, which the numeric branch converts back to floats.

Each model family gets the encoding that fits it (:data:`ENCODING`):

- ``onehot`` (ridge / logistic regression): numeric columns median-imputed and standard-scaled;
  categories one-hot encoded into a *sparse* matrix (a few hundred categories times hundreds of
  thousands of rows would be gigabytes dense), unknown categories ignored;
- ``ordinal`` (random forest, gradient boosting, XGBoost): numeric columns median-imputed, not
  scaled (splits don't care); each categorical column becomes one column of category codes, an
  unknown category coding as -1. Trees split on codes as on any number, so a column with 300
  categories stays one column instead of 300, and the matrix stays small and dense — the layout
  the XGBoost booster is served from (``model.bst`` keeps the binary format prebuilt servers
  load, which can't hold native categorical splits, hence codes rather than XGBoost categories).

Missing categories become ``"__missing__"`` first, a category of their own in both encodings,
so a category first seen in production predicts instead of failing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from .cores import available_cores
from .schema import FeatureSchema

MISSING_CATEGORY = "__missing__"
UNKNOWN_CATEGORY_CODE = -1

ENCODING = {"random_forest": "ordinal", "gradient_boosting": "ordinal", "xgboost": "ordinal", "ridge": "onehot"}


def encoding_for(model_type: str) -> str:
    if model_type not in ENCODING:
        raise ValueError(f"unknown model type {model_type!r}")
    return ENCODING[model_type]


def build_preprocessor(schema: FeatureSchema, model_type: str) -> ColumnTransformer:
    encoding = encoding_for(model_type)
    position = {name: i for i, name in enumerate(schema.features)}
    transformers: list[tuple[str, Any, list[int]]] = []
    if schema.numeric_features:
        steps: list[tuple[str, Any]] = [("impute", SimpleImputer(strategy="median"))]
        if encoding == "onehot":
            steps.append(("scale", StandardScaler()))
        transformers.append(("numeric", Pipeline(steps), [position[n] for n in schema.numeric_features]))
    if schema.categorical_features:
        encoder: Any = (
            OneHotEncoder(handle_unknown="ignore", sparse_output=True) if encoding == "onehot"
            else OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=UNKNOWN_CATEGORY_CODE)
        )
        categorical = Pipeline([
            ("impute", SimpleImputer(strategy="constant", fill_value=MISSING_CATEGORY)),
            (encoding, encoder),
        ])
        transformers.append(("categorical", categorical, [position[n] for n in schema.categorical_features]))
    # One-hot output stays sparse whatever its density; ordinal output is dense (no sparse part).
    return ColumnTransformer(transformers, remainder="drop", sparse_threshold=1.0 if encoding == "onehot" else 0.0)


def feature_matrix(frame: pd.DataFrame, schema: FeatureSchema) -> np.ndarray:
    """Rows in the schema's feature order as an object array: the positional input the model expects."""
    missing = [name for name in schema.features if name not in frame.columns]
    if missing:
        raise ValueError(f"data lacks feature columns {missing}")
    matrix = frame[schema.features].astype(object).to_numpy()
    # pandas' nullable NA (Int64 columns) isn't understood by the imputers; np.nan is.
    matrix[pd.isna(matrix)] = np.nan
    return matrix


def transformed_feature_names(preprocessor: ColumnTransformer, schema: FeatureSchema) -> list[str]:
    """Names of the columns the estimator sees: numeric names, then categorical names (ordinal codes) or ``column=category`` one-hots."""
    names = list(schema.numeric_features)
    if schema.categorical_features:
        steps = preprocessor.named_transformers_["categorical"].named_steps
        if "onehot" not in steps:
            return names + list(schema.categorical_features)
        encoder: OneHotEncoder = steps["onehot"]
        for column, categories in zip(schema.categorical_features, encoder.categories_):
            names += [f"{column}={category}" for category in categories]
    return names


def build_estimator(model_type: str, task_type: str, params: dict[str, Any], seed: int) -> BaseEstimator:
    classification = task_type == "classification"
    if model_type == "random_forest":
        cls = RandomForestClassifier if classification else RandomForestRegressor
        return cls(random_state=seed, n_jobs=available_cores(), **params)
    if model_type == "gradient_boosting":
        cls = GradientBoostingClassifier if classification else GradientBoostingRegressor
        return cls(random_state=seed, **params)
    if model_type == "ridge":
        params = dict(params)
        alpha = float(params.pop("alpha", 1.0))
        if classification:
            params.setdefault("C", 1.0 / alpha)
            params.setdefault("max_iter", 1000)
            return LogisticRegression(random_state=seed, **params)
        return Ridge(alpha=alpha, random_state=seed, **params)
    if model_type == "xgboost":
        import xgboost as xgb  # imported only here: it is the slowest import of the stack

        cls = xgb.XGBClassifier if classification else xgb.XGBRegressor
        return cls(random_state=seed, n_jobs=available_cores(), **params)
    raise ValueError(f"unknown model type {model_type!r}")


def check_parameters(estimator: BaseEstimator, params: dict[str, Any], model_type: str) -> None:
    """Unknown names fail here, with the valid ones listed, instead of deep inside ``fit``."""
    known = set(estimator.get_params(deep=False))
    if model_type == "ridge":
        known.add("alpha")
    unknown = sorted(set(params) - known)
    if unknown:
        raise ValueError(f"unknown hyperparameters for {model_type}: {unknown}; valid: {sorted(known)}")


def assemble(preprocessor: ColumnTransformer, estimator: BaseEstimator) -> Pipeline:
    """Both steps are already fitted; the pipeline only chains them for prediction."""
    return Pipeline([("preprocess", preprocessor), ("model", estimator)])
