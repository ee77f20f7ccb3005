"""Figures: one style for the repository, deterministic files, Finnish or English labels.

Every figure function takes tables (from the analysis modules or the validated dataset) and
returns a matplotlib Figure; :func:`save_figure` writes it as PNG (200 dpi) and SVG with no
dates or software versions in the metadata and a fixed ``svg.hashsalt``, so the same data give
byte-identical files.  A figure of a synthetic dataset carries a visible mark saying so.  The
figures the summary shows are drawn at the width it shows them (84 mm, ``base.PRINT_WIDTH_MM``),
so that no text is under 7 pt in print; curves of real data never draw a step resting on fewer
than ``min_cell`` people.
"""

from __future__ import annotations

from .base import (
                   COLOURS,
                   STYLE,
                   mark_source,
                   mark_synthetic,
                   period_axis,
                   save_figure,
                   source_line,
                   step_path,
                   use_style,
)
from .comparison import comparison_curves, covariate_label, love_plot, propensity_overlap
from .competing_risks import (
                   cumulative_incidence_panels,
                   cumulative_incidence_stacked,
                   forest_plot,
                   kaplan_meier_with_risk_table,
)
from .counterfactual import donor_weights, event_study_figure, placebo_gaps, synthetic_control_paths
from .labels import TEXT, label, text
from .report import (
                   AREA_COLOURS,
                   activation_rate_by_month,
                   clients_by_outcome,
                   continuation_rate_by_sector,
                   placements_by_sector,
                   subsidy_euros_by_sector,
                   unemployed_by_month,
                   unemployed_indexed_by_area,
)

__all__ = ["COLOURS", "STYLE", "TEXT", "AREA_COLOURS", "label", "text", "use_style", "save_figure",
           "mark_synthetic", "mark_source", "source_line", "period_axis", "step_path",
           "unemployed_by_month", "unemployed_indexed_by_area", "activation_rate_by_month",
           "placements_by_sector", "clients_by_outcome", "continuation_rate_by_sector",
           "subsidy_euros_by_sector", "cumulative_incidence_stacked", "cumulative_incidence_panels",
           "kaplan_meier_with_risk_table", "forest_plot", "synthetic_control_paths", "placebo_gaps",
           "event_study_figure", "donor_weights", "love_plot", "propensity_overlap", "comparison_curves",
           "covariate_label"]
