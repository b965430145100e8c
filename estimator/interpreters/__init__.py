"""Stage 2: interpreters. Discover them, name variants, provision environments, install
missing builds, and check what each worker process really ran."""

from estimator.interpreters.discovery import Discovery, Skipped, discover, scan
from estimator.interpreters.facts import Interpreter, InterpreterFacts, read_facts
from estimator.interpreters.provision import Environment, RequirementSet, provision
from estimator.interpreters.variants import (
    MissingVariant,
    ResolvedVariant,
    VariantPlan,
    VariantSpec,
    build_quality_warnings,
    expand_variants,
    parse_variant,
    plan_variants,
    resolve_variant,
    runnable_variants,
)
from estimator.interpreters.worker_facts import (
    CINDERX_ENV,
    FACTS_DIR_ENV,
    WorkerFacts,
    facts_mismatch,
    read_worker_facts,
)

__all__ = [
    "CINDERX_ENV",
    "FACTS_DIR_ENV",
    "Discovery",
    "Environment",
    "Interpreter",
    "InterpreterFacts",
    "MissingVariant",
    "RequirementSet",
    "ResolvedVariant",
    "Skipped",
    "VariantPlan",
    "VariantSpec",
    "WorkerFacts",
    "build_quality_warnings",
    "discover",
    "expand_variants",
    "facts_mismatch",
    "parse_variant",
    "plan_variants",
    "provision",
    "read_facts",
    "read_worker_facts",
    "resolve_variant",
    "runnable_variants",
    "scan",
]
