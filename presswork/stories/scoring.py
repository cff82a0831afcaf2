"""How good a clustering is against gold labels."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping


def bcubed(predicted: Mapping[str, str], gold: Mapping[str, str]) -> tuple[float, float, float]:
    """Return B-cubed precision, recall and F1 of `predicted` (item -> cluster) against `gold` (item -> class).

    Bagga and Baldwin, 1998, "Algorithms for scoring coreference chains": for each item, precision is the share
    of its predicted cluster that shares its gold class, recall the share of its gold class in its predicted
    cluster; both are averaged over the items, all weighted alike. Only the items in `gold` count: clusters are
    restricted to them, and an item missing from `predicted` (an article the pipeline rejected) is a cluster of
    its own. F1 is the harmonic mean of the two averages.
    """
    if not gold:
        return 0.0, 0.0, 0.0
    # A missing item gets a cluster of its own, under a name no story id can have.
    cluster = {item: predicted.get(item, "\x00" + item) for item in gold}
    cluster_sizes = Counter(cluster.values())
    class_sizes = Counter(gold.values())
    both = Counter((cluster[item], gold[item]) for item in gold)
    precision = sum(both[(cluster[i], gold[i])] / cluster_sizes[cluster[i]] for i in gold) / len(gold)
    recall = sum(both[(cluster[i], gold[i])] / class_sizes[gold[i]] for i in gold) / len(gold)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
