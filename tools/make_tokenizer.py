"""Write ``src/stockbench/data/replica_tokenizer.json``: the replica's WordPiece tokenizer.

Trained with the ``tokenizers`` library on text the project ships: the bundled news
feed and the bundled market's company names and sectors. KcELECTRA's own vocabulary
(54,343 pieces) is not redistributed; the replica model keeps that vocabulary size so
its embedding matrix, and so its memory, matches the original's.
"""

from __future__ import annotations

from pathlib import Path

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
from tokenizers.processors import TemplateProcessing

from stockbench.data import news_feed
from stockbench.fakemarket import generate_market
from stockbench.news.feed import parse_feed

OUT = Path(__file__).resolve().parents[1] / "src/stockbench/data/replica_tokenizer.json"
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def corpus() -> list[str]:
    feed = parse_feed(news_feed(), limit=None)
    market = generate_market()
    lines = [h.title for h in feed.headlines]
    lines += [f"{c.name} {c.sector}" for c in market.companies]
    return lines


def main() -> None:
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]", max_input_chars_per_word=100))
    tok.normalizer = normalizers.Sequence([normalizers.NFC(), normalizers.Strip()])
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece()
    trainer = trainers.WordPieceTrainer(
        vocab_size=6000, min_frequency=2, special_tokens=SPECIALS, limit_alphabet=3000
    )
    tok.train_from_iterator(corpus(), trainer)
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B [SEP]",
        special_tokens=[("[CLS]", cls), ("[SEP]", sep)],
    )
    tok.save(str(OUT))
    print(f"wrote {OUT}: vocab {tok.get_vocab_size():,}")


if __name__ == "__main__":
    main()
