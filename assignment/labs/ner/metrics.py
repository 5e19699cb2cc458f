"""Entity-level scores with seqeval: an entity counts only when its type and both of its
edges are right, so the 'O' tag that fills most of a resume cannot inflate them."""
import json

from seqeval.metrics import classification_report, f1_score


def entity_f1(true_tags, pred_tags) -> float:
    """Micro-averaged entity F1 over documents (lists of tag lists)."""
    return float(f1_score(true_tags, pred_tags, average="micro", zero_division=0))


def entity_report(true_tags, pred_tags) -> dict:
    """{label: {precision, recall, f1, support}, 'micro avg': ..., 'macro avg': ...}."""
    report = classification_report(true_tags, pred_tags, output_dict=True, zero_division=0)
    return {label: {key: (int(value) if key == "support" else float(value)) for key, value in scores.items()}
            for label, scores in report.items()}


def format_report(report: dict, title: str = "") -> str:
    """The report as an aligned text table."""
    width = max(len(label) for label in report) + 2
    lines = [title] if title else []
    lines.append(f"{'':<{width}}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}")
    in_averages = False
    for label, scores in report.items():
        if label.endswith(" avg") and not in_averages:
            lines.append("")
            in_averages = True
        lines.append(f"{label:<{width}}{scores['precision']:>10.3f}{scores['recall']:>10.3f}"
                     f"{scores['f1-score']:>10.3f}{scores['support']:>10d}")
    missed = zero_recall(report)
    if missed:
        lines.append(f"\nnever found (recall 0): {', '.join(missed)}")
    return "\n".join(lines)


def zero_recall(report: dict) -> list:
    """The entity types of ``report`` that occur but were never found."""
    return [label for label, scores in report.items()
            if not label.endswith(" avg") and scores["support"] > 0 and scores["recall"] == 0]


def save_report(report: dict, path) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(report, handle, indent=2)
