"""Online story clustering: each new article joins the most similar open story, or starts one.

In the spirit of Miranda et al. 2018 ("Multilingual Clustering of Streaming News"): an article is compared with
the open stories only, never with every article, on TF-IDF of its words and on its resolved entities, both
against the story's centroid; a story no article joined for `quiet_days` is closed and leaves memory. An
inverted index (term or entity -> open stories) picks the candidates, so an article is scored only against
stories that share one of its distinctive terms or entities: the cost per article depends on the open stories
near it, not on how many articles were ever seen.

Document frequencies are counted as articles arrive; an article is weighted with the IDF of the moment, made
unit length, and a centroid is the sum of its members' vectors, truncated to its `story_terms` heaviest terms
after each join.

A single pass decides each article once, on what it has seen so far: the first article of a topic's second event
joins a one-article story of the first and the story stays mixed. So after the online pass, `assign` refines the
call's own articles, DP-means style (Kulis and Jordan 2012, "Revisiting k-means"): up to `refine_passes` times,
each article, in order, moves to the story whose centroid it is now most similar to (its own without itself), at
or above the threshold, else to a new story of its own; it stops when none moves. During refinement the call's
articles are weighted with the IDF at the end of the call and the centroids are kept untruncated (the stored
centroid of a story from before the call plus its members of the call), then summed afresh and truncated once at
the end: a story's centroid is what it would be had its members been assigned that way. Only the call's articles
move: a story from before the call keeps its id and its earlier articles, and gets back exactly its stored state
if all the call's articles leave it. A story the call started is named `story_id_for` its earliest article, so a
story whose first article moved away takes the id of the next one; a story left empty disappears. Articles whose
story closed during the online pass (a call spanning more than `quiet_days`) stay where they are. Candidates still
come through the index only (and must have been active within `quiet_days` of the article's time), an article is
compared again only if a story it would see has changed, and the call's article vectors live for the call only.

Refinement cannot undo one kind of mistake: a story holding two similar events (two fights of one boxer, two
patches for one browser), each of whose articles is closer to the mixed centroid than to anything else. So after
refinement each story of the call with at least `2 * split_min_side` of the call's articles is examined
(`_split`): its articles are divided in two by clustering them with the story's own IDF, where the words all of
them share weigh nothing and what tells one part from the other weighs most, and the division is kept when the
two parts are much less alike across than within (`split_ratio`). The part closer to the story's state before
the call keeps the story; the other starts one, and refinement runs again. Earlier calls' articles never move.

The state is plain rows (`story_rows`, `vocabulary_rows`); `StoryState.from_rows` rebuilds a state that assigns
exactly as the one that wrote them. Pure: no I/O, no clock.
"""

from __future__ import annotations

import functools
import hashlib
import heapq
import itertools
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import csr_matrix
from scipy.spatial.distance import squareform

from presswork.stories.features import StoryFeatures, entity_term_id

# Reprint -> the article it copies; or a function returning that mapping when it is first needed.
Copies = Mapping[str, str] | Callable[[], Mapping[str, str]]


@dataclass(frozen=True, slots=True)
class StorySettings:
    """How stories are formed; the defaults were tuned on ecb-dev (`benchmarks/stories.py`)."""

    # An article joins the most similar story when the similarity reaches this, else it starts a new one. On
    # ecb-dev through `presswork run` (775 articles; refinement and splitting), B-cubed F1 is 0.936 / 0.938 / 0.931
    # / 0.924 / 0.910 at 0.2 / 0.225 / 0.25 / 0.275 / 0.3: splitting undoes what a low threshold merges, and a
    # high one splits stories that splitting cannot join again. (Measured on 2026-11-30, after `min_words` went to
    # 10 and `split_min_side` to 5; before, with 751 articles, 0.917 / 0.916 / 0.915 / 0.904 / 0.890, and 0.225
    # was chosen over 0.25 because two runs scored closer to one there.)
    threshold: float = 0.225
    # A story no article joined for this long is closed: news about one event comes within days, and a later
    # article on the same people is a new development (ecb-dev has no dates, so this was not tuned there).
    quiet_days: float = 3.0
    # Share of the entity cosine in the similarity, the rest the words' cosine. Entities tell two similar events
    # apart in principle, but the small spaCy model's entities are noisy: on ecb-dev (no dates) 0.15 is a small
    # gain, more than 0.3 a loss. With dated news, time does most of that separating.
    entity_weight: float = 0.15
    # Terms and entities a centroid keeps (the heaviest): bound memory and the cost of a comparison.
    story_terms: int = 300
    story_entities: int = 30
    # The article's terms that look up candidate stories in the index (its heaviest by TF-IDF); all its entities
    # look up too. Common words would make every open story a candidate.
    lookup_terms: int = 20
    # Passes over the call's articles after the online pass, each moving an article to the story it now fits
    # best (`StoryState._refine`); 0 keeps the online decisions. On ecb-dev (one call of 751 articles then; threshold
    # 0.25, no splitting) F1 goes 0.868 / 0.887 / 0.887 / 0.889 with 0 / 1 / 2 / 3 passes, and nothing moves in a
    # fourth; the story comparisons per article go from 14 to 63 there, the assignment from ~0.6 to ~1.5 ms per
    # article.
    refine_passes: int = 3
    # After refinement, a story of the call is cut in two when its articles fall into two groups that are much
    # less alike across than within (`StoryState._split`): the cosine between the groups, averaged over their
    # pairs of articles, is at most `split_ratio` times the average within the less coherent group, and each
    # group has at least `split_min_side` of the call's articles. The groups are found by average-link
    # clustering on the story's own IDF (a word every article of the story has says nothing there), so what
    # tells the two events apart (the other boxer, the other team) weighs most. On ecb-dev the stories mixing
    # two events divide at 0.52-0.73 and are cut; one single event is cut too (Lindsay Lohan checking into one
    # clinic, then another: 0.68); two mixed stories divide at 0.86 and 0.92 and stay whole (`benchmarks/
    # stories.py --splits` lists every division weighed). F1 0.938 with these settings, 0.875 without splitting
    # (`split_rounds=0`); at ratio 0.7 / 0.8, 0.924 / 0.938.
    # Five articles a side, not three: a division of a few articles is measured on too few pairs to tell a second
    # event from a second angle on one. With three, ecb-dev lost three single events to cuts of 5|4, 8|3 and 11|5
    # articles (an arrest, told in one-sentence briefs and in longer reports; two climbers' deaths on one mountain
    # one weekend, one event to the gold labels; a shooting at an office party); with five they stay whole and every
    # cut of two events is still made. F1 0.935 / 0.938 / 0.934 at 4 / 5 / 6 and 0.931-0.940 over thresholds
    # 0.2-0.25 at 5; on the articles of 25 words or more alone (the earlier `min_words`) 0.916 at 3 and at 5. The
    # price: a story with fewer than 10 of a run's articles is never cut, so two small events mixed in one run stay
    # mixed (a later run can cut off only its own articles).
    split_ratio: float = 0.75
    split_min_side: int = 5
    # Rounds of split then refinement in one call; 0 never splits. A second round split one more single event
    # on ecb-dev (0.913); a story of three events is divided again by a later run.
    split_rounds: int = 1
    # A story with more of the call's articles than this (a text and its reprints counting once) is not examined:
    # the check compares every pair.
    split_limit: int = 400


@dataclass(frozen=True, slots=True)
class Assignment:
    """Which story an article went to."""

    article_id: str
    story_id: str
    # To the story it ended in, without itself (online only: to the story when it joined); 1.0 for the article
    # that started the story, the one its id is named after.
    similarity: float
    new_story: bool  # the article started the story: its earliest article, of a story the call started


@dataclass(frozen=True, slots=True)
class Division:
    """A story's articles of one call as `StoryState._split` divided them, and whether the story was cut there."""

    first: tuple[str, ...]  # article ids, the earliest article's side; a text's reprints with it
    second: tuple[str, ...]
    separation: float  # mean similarity across the sides over the mean within the less coherent one
    kept: bool


def story_id_for(founding_article_id: str) -> str:
    """Return the stable id of the story an article founds."""
    return "s" + hashlib.sha256(founding_article_id.encode()).hexdigest()[:15]


@dataclass(slots=True)
class _Story:
    story_id: str
    first_seen: datetime
    last_seen: datetime
    article_count: int
    terms: dict[int, float]  # term id -> summed member weight (IDF-weighted unit vectors), truncated
    entities: dict[str, float]
    indexed: set[int | str] = field(default_factory=set)  # keys under which the index lists it
    # Sums of the squared weights, kept with `terms` and `entities` (`_measure`): a comparison needs them and
    # summing 300 squares for each one was most of the cost of the online pass.
    terms_square: float = 0.0
    entities_square: float = 0.0


@dataclass(slots=True)
class _Draft:
    """A story during refinement: its untruncated centroid, the call's articles in it, its state before the call."""

    story: _Story
    base: _Story | None  # as stored before the call; None for a story the call started
    members: dict[int, _Member] = field(default_factory=dict)  # by the article's place in the call
    terms: dict[int, float] = field(default_factory=dict)  # base + members, untruncated
    entities: dict[str, float] = field(default_factory=dict)
    terms_norm: float = 0.0
    entities_norm: float = 0.0
    changed: int = 0  # the move that last changed its members (0: none yet)


@dataclass(slots=True)
class _Member:
    """One of the call's articles during refinement, weighted with the IDF at the end of the call."""

    order: int
    article_id: str
    seen_at: datetime
    terms: dict[int, float]
    entities: dict[str, float]
    lookup: tuple[int | str, ...]  # the keys it finds candidate stories under (`StoryState._candidates`)
    draft: _Draft
    checked: int = -1  # the number of moves made when it was last placed


class StoryState:
    """The open stories, the document frequencies and the index that finds candidates."""

    def __init__(self, settings: StorySettings = StorySettings()) -> None:
        self.settings = settings
        self.stories: dict[str, _Story] = {}
        self.documents = 0  # articles seen
        self.frequencies: dict[int, int] = defaultdict(int)  # term or entity id -> articles containing it
        self._index: dict[int | str, set[str]] = defaultdict(set)
        self._quiet: list[tuple[datetime, str]] = []  # (last_seen, story_id) heap; stale entries are skipped
        self._latest: datetime | None = None  # newest seen_at: stories quiet since before it minus quiet_days close
        self.comparisons = 0  # story similarities computed: the cost the index keeps down
        # Every division `_split` weighs, kept or not, when a caller asks by setting a list here (benchmarks/
        # stories.py --splits); None in a run, whose state would otherwise grow with every story it weighs.
        self.divisions: list[Division] | None = None
        self._stale: dict[str, _Draft] = {}  # during refinement: stories moved since their last publication

    @classmethod
    def empty(cls, settings: StorySettings = StorySettings()) -> StoryState:
        """Return a state with no stories and no articles seen."""
        return cls(settings)

    @classmethod
    def from_rows(
        cls,
        stories: Iterable[Mapping],
        vocabulary: Iterable[Mapping],
        settings: StorySettings = StorySettings(),
    ) -> StoryState:
        """Rebuild a state from `story_rows` and `vocabulary_rows` (as stored)."""
        state = cls(settings)
        for row in vocabulary:
            if row["term"] is None:
                state.documents = int(row["documents"])
            else:
                state.frequencies[int(row["term"])] = int(row["documents"])
        for row in stories:
            story = _Story(
                story_id=row["story_id"],
                first_seen=row["first_seen"],
                last_seen=row["last_seen"],
                article_count=int(row["article_count"]),
                terms=dict(zip(map(int, row["terms"]), map(float, row["weights"]), strict=True)),
                entities=dict(zip(row["entities"], map(float, row["entity_weights"]), strict=True)),
            )
            _measure(story)
            state._open(story)
            if state._latest is None or story.last_seen > state._latest:
                state._latest = story.last_seen
        return state

    def story_rows(self) -> list[dict]:
        """Return one row per open story, by story id, as the storage layer writes them."""
        return [
            {
                "story_id": story.story_id,
                "first_seen": story.first_seen,
                "last_seen": story.last_seen,
                "article_count": story.article_count,
                "terms": list(story.terms),
                "weights": list(story.terms.values()),
                "entities": list(story.entities),
                "entity_weights": list(story.entities.values()),
            }
            for story in sorted(self.stories.values(), key=lambda s: s.story_id)
        ]

    def vocabulary_rows(self) -> list[dict]:
        """Return the document frequencies, one row per term id, and the article count as the row of term None."""
        rows: list[dict] = [{"term": None, "documents": self.documents}]
        rows.extend({"term": term, "documents": count} for term, count in sorted(self.frequencies.items()))
        return rows

    def assign(self, features: Sequence[StoryFeatures], copies: Copies | None = None) -> list[Assignment]:
        """Assign each article, in the given order, to a story; the state learns from each.

        The online pass decides each article once, in order; then up to `refine_passes` passes may move the
        call's own articles (never those of earlier calls) to a better story (`_refine`). `copies` maps a reprint
        to the article it copies (`near_duplicates`): when a story is examined for a split, a text and its
        copies count as one article (`_split`), so forty reprints of one wire text are not a part of their own.
        It may be a function returning that mapping, called once, when the first split needs it (after the
        online pass and the first refinement passes): a run links the reprints in another process meanwhile.
        """
        before: dict[str, _Story] = {}  # pre-existing stories the online pass joined, as they were before it
        started: set[str] = set()  # stories the online pass started
        online = [self._assign_one(article, before, started) for article in features]
        if self.settings.refine_passes <= 0 or not online:
            return online
        return self._refine(features, online, before, started, copies if copies is not None else {})

    def expire(self, now: datetime) -> None:
        """Close the stories no article joined for longer than `quiet_days` before `now`."""
        horizon = now - timedelta(days=self.settings.quiet_days)
        while self._quiet and self._quiet[0][0] < horizon:
            last_seen, story_id = heapq.heappop(self._quiet)
            story = self.stories.get(story_id)
            if story is not None and story.last_seen == last_seen:
                self._close(story)

    # -- one article

    def _assign_one(self, article: StoryFeatures, before: dict[str, _Story], started: set[str]) -> Assignment:
        if self._latest is None or article.seen_at > self._latest:
            self._latest = article.seen_at
        self.expire(self._latest)
        self._count(article)
        idf = self._idf
        terms = _unit({term: weight * idf(term) for term, weight in article.terms})
        entities = _unit({key: weight * idf(entity_term_id(key)) for key, weight in article.entities})
        best: tuple[float, str] | None = None
        horizon = article.seen_at - timedelta(days=self.settings.quiet_days)
        for story_id in sorted(self._candidates(terms, entities)):
            story = self.stories[story_id]
            if story.last_seen < horizon:
                continue  # an article older than the rest: the story had gone quiet by its time
            score = self._similarity(terms, entities, story)
            if score >= self.settings.threshold and (best is None or score > best[0]):
                best = (score, story_id)
        if best is None:
            story = _Story(story_id_for(article.article_id), article.seen_at, article.seen_at, 0, {}, {})
            self._join(story, terms, entities, article)
            self._open(story)
            started.add(story.story_id)
            return Assignment(article.article_id, story.story_id, 1.0, True)
        story = self.stories[best[1]]
        if story.story_id not in started and story.story_id not in before:
            before[story.story_id] = _copy(story)
        self._join(story, terms, entities, article)
        self._reindex(story)
        return Assignment(article.article_id, story.story_id, best[0], False)

    # -- refinement of the call's articles

    def _refine(
        self,
        features: Sequence[StoryFeatures],
        online: list[Assignment],
        before: Mapping[str, _Story],
        started: set[str],
        copies: Copies,
    ) -> list[Assignment]:
        """Move the call's articles, pass after pass, to the story they fit best, until none moves.

        DP-means (Kulis and Jordan 2012) seeded with the online result: each article, in order, is compared with
        the open stories the index finds and with its own story without itself, and moves to the best one at or
        above `threshold`, else to a new story of its own. Articles whose story closed during the online pass,
        and all articles of earlier calls, stay where they are.
        """
        idf = functools.cache(self._idf)  # the IDF at the end of the call, for every article of the call alike
        drafts: dict[str, _Draft] = {}
        members: list[_Member] = []
        for order, (article, assigned) in enumerate(zip(features, online, strict=True)):
            story = self.stories.get(assigned.story_id)
            if story is None:
                continue  # its story closed during the online pass
            draft = drafts.get(story.story_id)
            if draft is None:
                base = None if story.story_id in started else before[story.story_id]
                draft = drafts[story.story_id] = _Draft(story, base)
            terms = _unit({term: weight * idf(term) for term, weight in article.terms})
            entities = _unit({key: weight * idf(entity_term_id(key)) for key, weight in article.entities})
            lookup = (*self._lookup_terms(terms), *entities)
            member = _Member(order, article.article_id, article.seen_at, terms, entities, lookup, draft)
            draft.members[order] = member
            members.append(member)
        for draft in drafts.values():
            self._settle(draft)
        fresh = itertools.count()  # keys of the stories refinement starts, until they get their ids at the end
        moves = self._passes(members, drafts, fresh, 0)
        links: Mapping[str, str] | None = None
        for _ in range(self.settings.split_rounds):
            if links is None:
                links = copies() if callable(copies) else copies
            split = self._split(drafts, fresh, moves, links)
            if split == moves:
                break
            moves = self._passes(members, drafts, fresh, split)
        return self._finish(online, members, drafts)

    def _passes(self, members: list[_Member], drafts: dict[str, _Draft], fresh: Iterator[int], moves: int) -> int:
        """Move articles to the story they fit best, pass after pass, until none moves; return the moves so far."""
        for _ in range(self.settings.refine_passes):
            moved = False
            for member in members:
                candidates = self._listed(member.lookup) | {member.draft.story.story_id}
                if all(_changed(drafts, story_id) <= member.checked for story_id in candidates):
                    continue  # no story it would see changed since it was last placed: same decision
                member.checked = moves
                target = self._best_draft(member, candidates, drafts)
                if target is member.draft:
                    continue
                if target is None:
                    if member.draft.base is None and len(member.draft.members) == 1:
                        continue  # alone already
                    target = self._new_draft(fresh, member.seen_at, drafts)
                moves += 1
                member.draft.changed = target.changed = moves
                self._move(member, target, drafts)
                moved = True
            self._flush()
            if not moved:
                break
        return moves

    def _new_draft(self, fresh: Iterator[int], seen_at: datetime, drafts: dict[str, _Draft]) -> _Draft:
        key = f"~{next(fresh)}"
        draft = drafts[key] = _Draft(_Story(key, seen_at, seen_at, 0, {}, {}), None)
        return draft

    def _split(self, drafts: dict[str, _Draft], fresh: Iterator[int], moves: int, copies: Mapping[str, str]) -> int:
        """Cut in two each story whose call articles form two groups much less alike across than within.

        The call's articles of a story are split by average-link clustering on the story's own IDF (`_cut`);
        the cut is kept when each group has `split_min_side` articles and the mean similarity across the groups
        is at most `split_ratio` times the mean within the less coherent one, both with the similarity articles
        join stories by. A text and its reprints in the story (`copies`) count as one article, the earliest,
        and go where it goes: copies are alike by construction, and a wire text run by forty outlets would
        otherwise look like a part of the story of its own. The group closer to the story's state before the
        call (or, for a story the call started, the group of its earliest article) keeps the story; the other
        starts one. Returns the moves so far, more than `moves` if anything was cut.
        """
        settings = self.settings
        for draft in sorted(drafts.values(), key=lambda d: min(d.members, default=-1)):
            if len(draft.members) < 2 * settings.split_min_side:
                continue  # too few articles for two sides, whatever their copies
            voices: dict[str, list[_Member]] = {}  # the original text -> its copies in the story (it, if there)
            for order in sorted(draft.members):
                member = draft.members[order]
                voices.setdefault(copies.get(member.article_id, member.article_id), []).append(member)
            group = [same[0] for same in voices.values()]
            copies_of = {same[0].order: same for same in voices.values()}
            if not 2 * settings.split_min_side <= len(group) <= settings.split_limit:
                continue
            cut = _cut(group, settings.entity_weight, settings.split_min_side)
            if cut is None:
                continue
            sides, separation = cut
            first = [m for m, side in zip(group, sides, strict=True) if side == 0]
            second = [m for m, side in zip(group, sides, strict=True) if side == 1]
            kept = separation <= settings.split_ratio  # `_cut` only returns sides of `split_min_side` or more
            if self.divisions is not None:
                self.divisions.append(
                    Division(
                        tuple(c.article_id for m in first for c in copies_of[m.order]),
                        tuple(c.article_id for m in second for c in copies_of[m.order]),
                        separation,
                        kept,
                    )
                )
            if not kept:
                continue
            stays_first = _stays_with_first(draft, first, second, settings.entity_weight)
            leaving = sorted((c for m in (second if stays_first else first) for c in copies_of[m.order]), key=_order)
            target = self._new_draft(fresh, leaving[0].seen_at, drafts)
            moves += 1
            draft.changed = target.changed = moves
            for member in leaving:
                self._move(member, target, drafts)
        self._flush()
        return moves

    def _best_draft(self, member: _Member, candidates: set[str], drafts: dict[str, _Draft]) -> _Draft | None:
        """Return the story the article fits best at or above the threshold (its own one without it), else None."""
        quiet = timedelta(days=self.settings.quiet_days)
        best: tuple[float, _Draft] | None = None
        own = member.draft.story.story_id
        for story_id in sorted(candidates):
            story = self.stories[story_id]
            if story_id != own and not (
                member.seen_at - quiet <= story.last_seen and story.first_seen <= member.seen_at + quiet
            ):
                continue  # quiet for longer than `quiet_days` before (or after) the article's time
            draft = drafts.get(story_id)
            if draft is member.draft and draft.base is None and len(draft.members) == 1:
                continue  # alone in a story of its own: nothing to compare with
            if draft is None:  # a story of earlier calls only: its centroid is the stored one
                draft = drafts[story_id] = _Draft(story, _copy(story))
                self._settle(draft)
            score = self._draft_similarity(member, draft)
            if score >= self.settings.threshold and (best is None or score > best[0]):
                best = (score, draft)
        return None if best is None else best[1]

    def _draft_similarity(self, member: _Member, draft: _Draft) -> float:
        """Return the similarity of an article to a story's untruncated centroid, without the article if in it."""
        self.comparisons += 1
        inside = member.draft is draft
        share = self.settings.entity_weight
        words = _cosine_to_sum(member.terms, draft.terms, draft.terms_norm, inside)
        names = _cosine_to_sum(member.entities, draft.entities, draft.entities_norm, inside)
        return (1 - share) * words + share * names

    def _move(self, member: _Member, target: _Draft, drafts: dict[str, _Draft]) -> None:
        """Move an article between stories: their centroids and norms change now, the rest at `_flush`.

        Truncating a centroid and re-indexing it cost as much as the story has terms, thousands for a large one;
        done after every move they were most of the refinement's time. Comparisons need only the untruncated
        sums and their norms, kept exact here; the index and times catch up once per pass.
        """
        source = member.draft
        del source.members[member.order]
        _shift(source, member, -1.0)
        if source.base is None and not source.members:
            self._close(source.story)  # left empty: it disappears
            del drafts[source.story.story_id]
            self._stale.pop(source.story.story_id, None)
        else:
            self._stale[source.story.story_id] = source
        target.members[member.order] = member
        _shift(target, member, 1.0)
        member.draft = target
        if target.story.story_id in self.stories:
            self._stale[target.story.story_id] = target
        else:
            self._publish(target)  # a story refinement just started: opened and indexed at once

    def _flush(self) -> None:
        """Publish the stories moves changed since the last flush (`_move`)."""
        for draft in self._stale.values():
            self._publish(draft)
        self._stale.clear()

    def _settle(self, draft: _Draft) -> None:
        """Sum a story's centroid afresh from its state before the call and its members, in order, and publish it."""
        draft.terms = dict(draft.base.terms) if draft.base is not None else {}
        draft.entities = dict(draft.base.entities) if draft.base is not None else {}
        for order in sorted(draft.members):
            _add(draft.terms, draft.members[order].terms, 1.0)
            _add(draft.entities, draft.members[order].entities, 1.0)
        self._publish(draft)

    def _publish(self, draft: _Draft) -> None:
        """Bring the story's stored fields and its index entries in line with the draft."""
        draft.terms_norm = math.sqrt(_square(draft.terms))
        draft.entities_norm = math.sqrt(_square(draft.entities))
        story = draft.story
        times = [member.seen_at for member in draft.members.values()]
        if draft.base is not None:
            times += [draft.base.first_seen, draft.base.last_seen]
        last_seen = max(times)
        story.first_seen = min(times)
        story.article_count = len(draft.members) + (draft.base.article_count if draft.base is not None else 0)
        story.terms = _top(draft.terms, self.settings.story_terms)
        story.entities = _top(draft.entities, self.settings.story_entities)
        _measure(story)
        if story.story_id not in self.stories:
            story.last_seen = last_seen
            self._open(story)
            return
        if last_seen != story.last_seen:
            story.last_seen = last_seen
            heapq.heappush(self._quiet, (story.last_seen, story.story_id))
        self._reindex(story)

    def _finish(self, online: list[Assignment], members: list[_Member], drafts: dict[str, _Draft]) -> list[Assignment]:
        """Sum the centroids exactly, give the call's new stories their ids and return the final assignments.

        A story the call started is named after its earliest article (`story_id_for`): the same rule as online,
        applied to the final members, so the ids depend only on the stored state and the call's articles.
        """
        for draft in drafts.values():
            if draft.base is None:
                self._close(draft.story)  # all closed before any reopens: one may take an id another still holds
                draft.story.story_id = story_id_for(draft.members[min(draft.members)].article_id)
                draft.story.indexed = set()
        for draft in drafts.values():
            self._settle(draft)  # reopens the new stories under their ids
        final = list(online)
        for member in members:
            draft = member.draft
            founder = draft.base is None and min(draft.members) == member.order
            similarity = 1.0 if founder else self._draft_similarity(member, draft)
            final[member.order] = Assignment(member.article_id, draft.story.story_id, similarity, founder)
        return final

    def _count(self, article: StoryFeatures) -> None:
        self.documents += 1
        for term in article.terms.ids:
            self.frequencies[term] += 1
        for key, _ in article.entities:
            self.frequencies[entity_term_id(key)] += 1

    def _idf(self, term: int) -> float:
        # Smoothed IDF (scikit-learn's): a term every article has still weighs 1, an unseen one the most.
        return math.log((1 + self.documents) / (1 + self.frequencies.get(term, 0))) + 1.0

    def _candidates(self, terms: Mapping[int, float], entities: Mapping[str, float]) -> set[str]:
        return self._listed((*self._lookup_terms(terms), *entities))

    def _lookup_terms(self, terms: Mapping[int, float]) -> list[int]:
        """The article's heaviest terms, those it looks candidate stories up by."""
        return _heaviest(terms, self.settings.lookup_terms)

    def _listed(self, keys: Iterable[int | str]) -> set[str]:
        """The open stories the index lists under any of the keys."""
        found: set[str] = set()
        for key in keys:
            found.update(self._index.get(key, ()))
        return found

    def _similarity(self, terms: Mapping[int, float], entities: Mapping[str, float], story: _Story) -> float:
        self.comparisons += 1
        share = self.settings.entity_weight
        words = _cosine(terms, story.terms, story.terms_square)
        return (1 - share) * words + share * _cosine(entities, story.entities, story.entities_square)

    def _join(
        self, story: _Story, terms: Mapping[int, float], entities: Mapping[str, float], article: StoryFeatures
    ) -> None:
        for term, weight in terms.items():
            story.terms[term] = story.terms.get(term, 0.0) + weight
        for key, weight in entities.items():
            story.entities[key] = story.entities.get(key, 0.0) + weight
        story.terms = _top(story.terms, self.settings.story_terms)
        story.entities = _top(story.entities, self.settings.story_entities)
        _measure(story)
        story.article_count += 1
        story.first_seen = min(story.first_seen, article.seen_at)
        if article.seen_at > story.last_seen:
            story.last_seen = article.seen_at
            heapq.heappush(self._quiet, (story.last_seen, story.story_id))

    def _open(self, story: _Story) -> None:
        self.stories[story.story_id] = story
        heapq.heappush(self._quiet, (story.last_seen, story.story_id))
        self._reindex(story)

    def _reindex(self, story: _Story) -> None:
        keys: set[int | str] = {*story.terms, *story.entities}
        for key in story.indexed - keys:
            self._unlist(key, story.story_id)
        for key in keys - story.indexed:
            self._index[key].add(story.story_id)
        story.indexed = keys

    def _close(self, story: _Story) -> None:
        for key in story.indexed:
            self._unlist(key, story.story_id)
        del self.stories[story.story_id]

    def _unlist(self, key: int | str, story_id: str) -> None:
        listed = self._index[key]
        listed.discard(story_id)
        if not listed:
            del self._index[key]


def _order(member: _Member) -> int:
    return member.order


def _copy(story: _Story) -> _Story:
    return _Story(
        story.story_id, story.first_seen, story.last_seen, story.article_count, dict(story.terms), dict(story.entities)
    )


def _measure(story: _Story) -> None:
    story.terms_square = _square(story.terms)
    story.entities_square = _square(story.entities)


def _changed(drafts: Mapping[str, _Draft], story_id: str) -> int:
    draft = drafts.get(story_id)
    return 0 if draft is None else draft.changed


def _add(sums: dict, vector: Mapping, sign: float) -> float:
    """Add (sign 1) or take away (sign -1) a vector from a sum of vectors; return the change of its squared norm."""
    change = 0.0
    for key, weight in vector.items():
        before = sums.get(key, 0.0)
        total = before + sign * weight
        change += total * total - before * before
        if sign < 0 and abs(total) < 1e-12:
            del sums[key]  # what a leaving article added: drop it so the centroid does not keep zeros
        else:
            sums[key] = total
    return change


def _shift(draft: _Draft, member: _Member, sign: float) -> None:
    """Add a member's vectors to a draft's centroid (or take them away) and update its norms."""
    terms = _add(draft.terms, member.terms, sign)
    entities = _add(draft.entities, member.entities, sign)
    draft.terms_norm = math.sqrt(max(draft.terms_norm * draft.terms_norm + terms, 0.0))
    draft.entities_norm = math.sqrt(max(draft.entities_norm * draft.entities_norm + entities, 0.0))


def _cosine_to_sum(vector: Mapping, sums: Mapping, norm: float, inside: bool) -> float:
    """Cosine of a unit (or empty) vector with a sum of vectors of known norm, minus the vector if `inside`."""
    if not vector or not norm:
        return 0.0
    dot = sum(weight * sums[key] for key, weight in vector.items() if key in sums)
    if not inside:
        return dot / norm
    rest = norm * norm - 2 * dot + 1.0  # |sums - vector|^2, the vector being of unit length
    if rest <= 1e-9:
        return 0.0  # the vector alone made the sum
    return (dot - 1.0) / math.sqrt(rest)


def _top(weights: dict, size: int) -> dict:
    """Keep the `size` heaviest entries, in key order (ties by key, so a rebuilt state agrees)."""
    if len(weights) > size:
        return {k: weights[k] for k in sorted(_heaviest(weights, size))}
    return dict(sorted(weights.items()))


def _heaviest(weights: Mapping, size: int) -> list:
    """The keys of the `size` heaviest entries, in no particular order; of equal weights, the smallest keys.

    The same keys as the first `size` of sorting by (-weight, key), without a key function called per entry: a
    story of many articles sums thousands of terms and is cut after every join. The weight of the size-th
    heaviest entry comes from a plain sort of the values (in C); keys above it are kept, and the smallest keys
    of those equal to it fill the rest.
    """
    if len(weights) <= size:
        return list(weights)
    if size <= 0:
        return []
    cut = sorted(weights.values(), reverse=True)[size - 1]
    kept = [key for key, weight in weights.items() if weight > cut]
    tied = sorted(key for key, weight in weights.items() if weight == cut)
    return kept + tied[: size - len(kept)]


def _unit(weights: dict) -> dict:
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {k: w / norm for k, w in weights.items()} if norm else {}


def _square(weights: Mapping) -> float:
    return sum(w * w for w in weights.values())


def _cosine(a: Mapping, b: Mapping, b_square: float) -> float:
    """Cosine of `a` and `b`, given the sum of the squares of `b`."""
    if not a or not b:
        return 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    dot = sum(weight * large[key] for key, weight in small.items() if key in large)
    if not dot:
        return 0.0
    return dot / math.sqrt(_square(a) * b_square)


def _cut(group: Sequence[_Member], share: float, min_side: int) -> tuple[list[int], float] | None:
    """Split a story's articles in two; return each one's side (0: the first article's) and the separation.

    The sides are found with the story's own IDF: each weight is scaled by log((n + 1) / (df + 0.5)), where df
    counts the story's articles that have the term, so the words the whole story shares fade and those of one
    part of it stand out. Average-link clustering of those vectors is cut into as few groups as give two of at
    least `min_side` articles (a cut in two often isolates one odd article); the two largest seed the sides,
    and every article then goes, a few times over, to the side it is more alike on average (2-means).

    The separation is the mean similarity across the sides over the mean within the less coherent side, both
    with the articles' plain vectors (as they are compared with stories): a story of one event splits into
    sides almost as alike across as within, two events into sides much less alike
    (`StorySettings.split_ratio`). None when no such sides are found.
    """
    local = _similarities(
        _locally_weighted([m.terms for m in group]), _locally_weighted([m.entities for m in group]), share
    )
    distance = np.clip(1.0 - local, 0.0, None)
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="average")
    first = second = None
    for groups in range(2, 2 + _SEED_GROUPS):
        labels = fcluster(tree, groups, criterion="maxclust")
        sizes = np.bincount(labels)
        largest = np.argsort(-sizes, kind="stable")[:2]
        if sizes[largest[1]] >= min_side:
            first, second = labels == largest[0], labels == largest[1]
            break
    if first is None or second is None:
        return None
    others = np.eye(len(group), dtype=bool) == 0  # an article is not compared with itself
    for _ in range(_ROUNDS):
        to_first = (local * (others & first)).sum(1) / np.maximum((others & first).sum(1), 1)
        to_second = (local * (others & second)).sum(1) / np.maximum((others & second).sum(1), 1)
        moved = to_first >= to_second
        if (moved == first).all() and (first | second).all():  # settled (the seeds may leave articles out)
            break
        first, second = moved, ~moved
    if min(first.sum(), second.sum()) < max(min_side, 2):  # a side of one has no pair to average
        return None
    if not first[0]:
        first, second = second, first
    plain = _similarities([m.terms for m in group], [m.entities for m in group], share)
    within = min(_mean_pairs(plain[np.ix_(first, first)]), _mean_pairs(plain[np.ix_(second, second)]))
    if within <= 0.0:
        return None
    return [0 if side else 1 for side in first], float(plain[np.ix_(first, second)].mean()) / within


# How far down the average-link tree `_cut` looks for two groups of `split_min_side` (groups cut off before them
# are single odd articles and small asides), and how many rounds of 2-means then settle the sides.
_SEED_GROUPS = 3
_ROUNDS = 5


def _locally_weighted(vectors: Sequence[Mapping]) -> list[dict]:
    frequencies: dict = defaultdict(int)
    for vector in vectors:
        for key in vector:
            frequencies[key] += 1
    size = len(vectors)
    return [
        _unit({key: w * math.log((size + 1) / (frequencies[key] + 0.5)) for key, w in vector.items()})
        for vector in vectors
    ]


def _similarities(terms: Sequence[Mapping], entities: Sequence[Mapping], share: float) -> np.ndarray:
    """The matrix of article-to-article similarities (unit vectors): words' cosine and entities', mixed."""
    return (1 - share) * _gram(terms) + share * _gram(entities)


def _gram(vectors: Sequence[Mapping]) -> np.ndarray:
    columns: dict = {}
    data: list[float] = []
    indices: list[int] = []
    pointers = [0]
    for vector in vectors:
        for key, weight in vector.items():
            data.append(weight)
            indices.append(columns.setdefault(key, len(columns)))
        pointers.append(len(data))
    matrix = csr_matrix((data, indices, pointers), shape=(len(vectors), max(1, len(columns))))
    return (matrix @ matrix.T).toarray()


def _mean_pairs(block: np.ndarray) -> float:
    """The mean of a square block of similarities off its diagonal."""
    size = block.shape[0]
    return float((block.sum() - block.trace()) / (size * (size - 1)))


def _stays_with_first(draft: _Draft, first: Sequence[_Member], second: Sequence[_Member], share: float) -> bool:
    """Whether the story keeps the first side: the one closer to its state before the call, else the earliest's."""
    base = draft.base
    if base is None or not (base.terms or base.entities):
        return True
    return _closeness(base, first, share) >= _closeness(base, second, share)


def _closeness(base: _Story, side: Sequence[_Member], share: float) -> float:
    """The similarity of a side's centroid with a story's stored centroid."""
    terms: dict = {}
    entities: dict = {}
    for member in side:
        _add(terms, member.terms, 1.0)
        _add(entities, member.entities, 1.0)
    words = _cosine(_unit(terms), base.terms, _square(base.terms))
    return (1 - share) * words + share * _cosine(_unit(entities), base.entities, _square(base.entities))
