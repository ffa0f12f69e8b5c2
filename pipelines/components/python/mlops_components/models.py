"""Estimators and the preprocessing that makes them take raw feature rows.

Every model is a scikit-learn ``Pipeline(preprocess → estimator)``. ``preprocess`` is a
``ColumnTransformer`` that selects columns *by position* in the schema's ``features`` order,
so the same pickled pipeline predicts from a pandas frame, or from the plain list of lists a
Vertex prebuilt scikit-learn server turns into ``numpy.asarray(instances)`` — where mixed
instances become an array of strings, which the numeric branch converts back to floats.

- numeric: median imputation, then standard scaling (needed by ridge/logistic regression,
  harmless for trees);
- categorical: missing → ``"__missing__"``, then one-hot with unknown categories ignored, so
  a category first seen in production predicts instead of failing.
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
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .schema import FeatureSchema

MISSING_CATEGORY = "__missing__"


def build_preprocessor(schema: FeatureSchema) -> ColumnTransformer:
    position = {name: i for i, name in enumerate(schema.features)}
    transformers: list[tuple[str, Any, list[int]]] = []
    if schema.numeric_features:
        numeric = Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())])
        transformers.append(("numeric", numeric, [position[n] for n in schema.numeric_features]))
    if schema.categorical_features:
        categorical = Pipeline([
            ("impute", SimpleImputer(strategy="constant", fill_value=MISSING_CATEGORY)),
            ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
        ])
        transformers.append(("categorical", categorical, [position[n] for n in schema.categorical_features]))
    # Dense output: the XGBoost booster is served from the same matrix layout.
    return ColumnTransformer(transformers, remainder="drop", sparse_threshold=0.0)


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
    """Names of the columns the estimator sees: numeric names, then ``column=category`` one-hots."""
    names = list(schema.numeric_features)
    if schema.categorical_features:
        encoder: OneHotEncoder = preprocessor.named_transformers_["categorical"].named_steps["onehot"]
        for column, categories in zip(schema.categorical_features, encoder.categories_):
            names += [f"{column}={category}" for category in categories]
    return names


def build_estimator(model_type: str, task_type: str, params: dict[str, Any], seed: int) -> BaseEstimator:
    classification = task_type == "classification"
    if model_type == "random_forest":
        cls = RandomForestClassifier if classification else RandomForestRegressor
        return cls(random_state=seed, n_jobs=1, **params)
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
        return cls(random_state=seed, n_jobs=1, **params)
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
