"""The song_recognition module's task bodies (entry points named in shared/modules.py)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from shared.config.recognition import SongLoss, SongRecognitionConfig
from shared.task_context import ANSWERS, TaskContext, TaskError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp")
STAT_PAIRS = 2048  # the user's show_features_statistic default (m)
MIN_TRAIN_TITLES = 2  # metric learning needs two classes (services/recognition/song/batches.py)


def song_dir(ctx: TaskContext[SongRecognitionConfig]) -> Path:
    return Path(ctx.data_dir) / "song_recognition"


def title_dir(ctx: TaskContext[SongRecognitionConfig]) -> Path:
    return song_dir(ctx) / "title_imgs"


def gallery_path(ctx: TaskContext[SongRecognitionConfig]) -> Path:
    return song_dir(ctx) / "feature_vectors.json"


def models_dir(ctx: TaskContext[SongRecognitionConfig]) -> Path:
    return song_dir(ctx) / "models"


def _config(ctx: TaskContext[SongRecognitionConfig]) -> SongRecognitionConfig:
    return ctx.config


def _catalog(ctx: TaskContext[SongRecognitionConfig]) -> Any:
    from shared.catalog import load_catalog

    try:
        return load_catalog(Path(ctx.data_dir))
    except (OSError, ValueError) as exc:
        ctx.log(f"song catalog unavailable ({exc}); titles and levels will not be shown", "warning")
        return None


def _png(gray: np.ndarray[Any, Any]) -> bytes:
    import cv2

    ok, buf = cv2.imencode(".png", gray)
    return buf.tobytes() if ok else b""


# --- add_song ------------------------------------------------------------------------------


def _frames(ctx: TaskContext[SongRecognitionConfig], folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise FileNotFoundError(
            f"screenshot folder {folder} does not exist: put 1280x720 screenshots (or 36x450 crops) there"
        )
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())


def _parse_id(text: str | None) -> int | None:
    try:
        v = int((text or "").strip())
    except ValueError:
        return None
    return v if v >= 0 else None


def answered_path(ctx: TaskContext[SongRecognitionConfig]) -> Path:
    return song_dir(ctx) / "answered.json"


@dataclass(frozen=True)
class Question:
    prompt: str
    options: tuple[str, ...]


def question(frame: str, proposal: int | None, name: str, known: bool, score: float, reason: str) -> Question:
    """The prompt for one screenshot: what was recognised, and what each offered answer
    does. Yes is offered only when there is a proposal to accept (a guess is a song that
    is already in the gallery, so Yes adds nothing: "it is new" is No with its id)."""
    if proposal is None:
        return Question(
            f"{frame}: no proposal (the gallery is empty). "
            "No: type the song id to add it · Drop: skip this screenshot · Stop: end",
            ("No", "Drop", "Stop"),
        )
    seen = f"{proposal} «{name}» score {score:.3f}" + (f" ({reason})" if reason else "")
    head = f"{frame}: known song {seen}" if known else f"{frame}: not recognised; closest is {seen}"
    return Question(
        f"{head}. Yes: it is song {proposal} (already in the gallery, nothing added) · "
        "No: it is another song, type its id to add it · Drop: skip this screenshot · Stop: end",
        ANSWERS,
    )


def add_song(ctx: TaskContext[SongRecognitionConfig]) -> None:
    """For each screenshot not answered before: crop the title, propose id/title/score,
    ask (the prompt says what each answer does). Yes confirms the proposal, No takes the
    song id the user types (validated) and saves the crop into title_imgs and the gallery
    at once (no retraining). Answers are remembered (answered.json): a later run asks only
    about new screenshots."""
    from services.recognition.song import SongRecognizer
    from services.recognition.song.answered import AnsweredLedger, file_key
    from services.recognition.song.pipeline import current_model
    from services.recognition.song.preprocess import title_crops
    from services.recognition.song.store import read_gray

    cfg = _config(ctx)
    folder = Path(ctx.data_dir) / cfg.screenshot_dir
    frames = _frames(ctx, folder)
    if not frames:
        ctx.log(f"no screenshots in {folder}; nothing to add", "warning")
        return
    ledger = AnsweredLedger(answered_path(ctx))
    keys = {f: file_key(f) for f in frames}
    todo = [f for f in frames if keys[f] not in ledger]
    title_dir(ctx).mkdir(parents=True, exist_ok=True)
    catalog = _catalog(ctx)
    levels = {s.id: s.levels for s in catalog} if catalog is not None else None
    rec = SongRecognizer(title_dir(ctx), gallery_path(ctx), current_model(models_dir(ctx)), levels=levels)
    before = (
        f" ({len(frames) - len(todo)} answered before, not asked again)" if len(todo) < len(frames) else ""
    )
    ctx.log(
        f"{len(frames)} screenshots in {cfg.screenshot_dir}{before}; gallery has {len(rec.gallery)} songs"
    )
    added = 0
    for n, frame in enumerate(todo, 1):
        ctx.checkpoint()
        ctx.progress(n - 1, len(todo), message=frame.name)
        try:
            img = read_gray(frame)
            m = rec.match(img)
            crop = title_crops(img)[m.region or 0]
        except ValueError as exc:
            ctx.log(f"{frame.name}: skipped ({exc})", "warning")
            continue
        ctx.image(_png(crop), kind="frame", meta={"frame": frame.name})
        proposal = m.id if m.id is not None else (m.candidates[0].id if m.candidates else None)
        name = (
            catalog.get(proposal).title
            if catalog is not None and proposal is not None and catalog.get(proposal)
            else "?"
        )
        q = question(frame.name, proposal, name, m.id is not None, m.score, m.reason)
        answer, sid = _ask_id(ctx, rec, q, proposal, catalog)
        if answer == "Stop":
            ctx.log("stopped by the user")
            break
        ledger.record(keys[frame], frame.name, answer, sid)
        if sid is None:
            continue
        if sid in rec.gallery:
            ctx.log(f"song {sid} is already in the gallery; nothing to add")
            continue
        t0 = time.perf_counter()
        rec.add_crop(crop, sid)
        added += 1
        ctx.log(
            f"added song {sid} ({(time.perf_counter() - t0) * 1000:.0f} ms); "
            f"gallery has {len(rec.gallery)} songs"
        )
    ctx.progress(len(todo), len(todo), message=f"{added} songs added")
    ctx.log(f"done: {added} songs added")


def _ask_id(
    ctx: TaskContext[SongRecognitionConfig], rec: Any, q: Question, proposal: int | None, catalog: Any
) -> tuple[str, int | None]:
    """The user's decision: the answer and, for Yes / No, the song id."""
    prompt = q.prompt
    while True:
        reply = ctx.ask(prompt, q.options, text="song id")
        if reply.answer not in q.options:
            ctx.log(f"unknown answer {reply.answer!r}", "warning")
            continue
        if reply.answer == "Yes" and proposal is not None:
            return "Yes", proposal
        if reply.answer != "No":
            return reply.answer, None
        sid = _parse_id(reply.text)
        if sid is None:
            ctx.log(f"song id must be a whole number >= 0, got {reply.text!r}", "error")
            prompt = "Type the song id and answer No to add it (or Drop: skip this screenshot · Stop: end)"
            continue
        if sid in rec.gallery:
            ctx.log(f"song {sid} is already in the gallery; type another id or Drop", "error")
            continue
        if catalog is not None and catalog.get(sid) is None:
            ctx.log(f"song {sid} is not in the song catalog; type another id or Drop", "error")
            continue
        return "No", sid


# --- train_song_recognition ----------------------------------------------------------------


def train_song_recognition(ctx: TaskContext[SongRecognitionConfig]) -> None:
    """Train on title_imgs (minus a hold-out), evaluate on the hold-out, and keep the new
    model only if it is at least as good as the current one."""
    from services.recognition.common import promote as promotion
    from services.recognition.song.pipeline import MODEL_FILES, current_model, model_train_ids, train_to_dir
    from services.recognition.song.recognizer import DEFAULT_MODEL
    from services.recognition.song.store import list_titles
    from services.recognition.song.train import StepInfo, TrainOptions

    cfg = _config(ctx)
    tdir = title_dir(ctx)
    have = sorted(list_titles(tdir)) if tdir.is_dir() else []
    if len(have) < MIN_TRAIN_TITLES:
        where = tdir.relative_to(ctx.data_dir) if tdir.is_relative_to(ctx.data_dir) else tdir
        raise TaskError(
            f"training needs title crops of at least {MIN_TRAIN_TITLES} songs; {where} has "
            f"{len(have)}: add songs first (task add_song)"
        )
    mdir = models_dir(ctx)
    cand = promotion.fresh_candidate(mdir)
    init = promotion.start_checkpoint(
        mdir, "titlenet.pt", DEFAULT_MODEL.with_suffix(".pt"), load=cfg.is_load_model
    )
    opts = TrainOptions(
        loss="arcface" if cfg.loss == SongLoss.ArcFace else "triplet",
        epochs=cfg.epoch,
        num_batches=cfg.num_batches,
        classes_per_batch=cfg.batch_size,
        lr=cfg.learn_rate,
    )
    losses: list[float] = []

    def on_step(s: StepInfo) -> None:
        losses.append(s.loss)
        ctx.progress(
            s.step,
            s.total,
            message=f"epoch {(s.step - 1) // cfg.num_batches + 1}/{cfg.epoch}",
            loss=round(s.loss, 5),
            lr=s.lr,
            elapsed_s=round(s.elapsed_s, 1),
            eta_s=round(s.eta_s, 1),
        )
        if s.step % cfg.num_batches == 0:
            ctx.log(
                f"epoch {s.step // cfg.num_batches}/{cfg.epoch}: "
                f"loss {np.mean(losses[-cfg.num_batches :]):.4f} lr {s.lr:.5f}"
            )
            ctx.image(_loss_png(losses), kind="loss_curve")
        ctx.checkpoint()  # raises TaskStopped on stop: the current model stays untouched

    train_to_dir(tdir, cand, opts, init_checkpoint=init, on_step=on_step, log=ctx.log)
    ctx.image(_loss_png(losses), kind="loss_curve")
    subject = eval_subject(have, model_train_ids(cand / "titlenet.onnx"))
    ctx.log(f"evaluating the new model against the current one on {subject}")
    new_q, old_q = _compare(ctx, cand / "titlenet.onnx", current_model(mdir))
    why_not = promotion.worse(new_q, old_q)
    promotion.settle(cand, mdir, MODEL_FILES, why_not, keep_refused=False)
    if why_not:
        ctx.log(f"{why_not}: keeping the current model", "warning")
        publish_statistics(ctx)
        return
    ctx.log(
        f"new model saved ({new_q:.4f}"
        + (f" vs {old_q:.4f})" if old_q is not None else ")")
        + "; re-embedding the gallery"
    )
    from services.recognition.song import SongRecognizer

    rec = SongRecognizer(tdir, gallery_path(ctx), mdir / "titlenet.onnx")
    ctx.log(f"gallery: {len(rec.gallery)} songs")
    publish_statistics(ctx, rec)


def eval_subject(ids: list[int], train_ids: set[int] | None) -> str:
    """What the comparison after training measures, in words for the log: the titles held
    out of training, or (too few to hold any out) the trained titles themselves."""
    from services.recognition.song.train import holdout_ids

    # The same choice as evaluate.make_eval_set.
    unseen = [i for i in ids if i not in train_ids] if train_ids else sorted(holdout_ids(ids))
    if unseen:
        return f"{len(unseen)} held-out titles (not trained on)"
    return (
        f"the {len(ids)} trained titles (too few titles to hold any out: this measures "
        "recognition of titles it was trained on, not of new ones)"
    )


def publish_statistics(ctx: TaskContext[SongRecognitionConfig], rec: Any = None) -> dict[str, Any] | None:
    """``show_features_statistic`` of the model the module uses (the one training kept):
    logs the numbers and publishes the histogram as a "similarity_histogram" image.
    Reuses the gallery's embeddings, so the cost is embedding the known-song queries
    (at most 256). Returns the statistics, or None when the gallery is too small."""
    from services.recognition.song import SongRecognizer
    from services.recognition.song.pipeline import current_model
    from services.recognition.song.stats import histogram_png, show_features_statistic

    if rec is None:
        rec = SongRecognizer(title_dir(ctx), gallery_path(ctx), current_model(models_dir(ctx)))
    if len(rec.gallery) < 2:
        ctx.log("similarity statistics need at least 2 songs in the gallery; skipped", "warning")
        return None
    ctx.log(f"similarity statistics: {STAT_PAIRS} pairs of different songs")
    st = show_features_statistic(rec, m=STAT_PAIRS)
    ctx.log(
        f"different songs: min {st['min']:.4f} max {st['max']:.4f} mean {st['mean']:.4f}; "
        f"worst known match {st['worst_known']:.4f}; gap {st['gap']:.4f}"
        + ("" if st["gap"] > 0 else " (no threshold separates them: acceptance relies on verification)")
    )
    meta: dict[str, Any] = {
        k: round(float(st[k]), 4) for k in ("min", "max", "mean", "worst_known", "best_different", "gap")
    }
    meta |= {"pairs": st["pairs"], "known_queries": st["known"]["queries"], "songs": len(rec.gallery)}
    ctx.image(histogram_png(st), kind="similarity_histogram", meta=meta)
    return st


def _compare(ctx: TaskContext[SongRecognitionConfig], new: Path, old: Path) -> tuple[float, float | None]:
    from services.recognition.common.promote import measure_current
    from services.recognition.song.evaluate import evaluate
    from services.recognition.song.pipeline import model_train_ids, quality

    train_ids = model_train_ids(new)
    new_rep = evaluate(title_dir(ctx), new, train_ids=train_ids, per_title=3, classical=False)
    ctx.log(f"new model: {_summary(new_rep)}")
    if not old.is_file():
        return quality(new_rep), None
    old_rep = measure_current(
        lambda: evaluate(title_dir(ctx), old, train_ids=train_ids, per_title=3, classical=False), ctx.log
    )
    if old_rep is None:
        return quality(new_rep), None
    ctx.log(f"current model: {_summary(old_rep)}")
    return quality(new_rep), quality(old_rep)


def _summary(rep: dict[str, Any]) -> str:
    return (
        f"user {rep['user']['accepted_correct']:.4f}, hard {rep['hard']['accepted_correct']:.4f}, "
        f"outsiders accepted {rep['outside']['accepted']}"
    )


def _loss_png(losses: list[float]) -> bytes:
    from services.recognition.common.figures import png, subplots

    fig, ax = subplots((5, 2.6), 100)
    ax.plot(np.arange(1, len(losses) + 1), losses, lw=1)
    ax.set_xlabel("batch")
    ax.set_ylabel("loss")
    return png(fig)
