"""Compare Python `tokenizers` ids with the Node @huggingface/tokenizers ids on a sample of
texts from every test split (plus two fixed sentences). Prints a JSON summary."""
import json, os, subprocess, sys, tempfile
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D
from tokenizers import Tokenizer


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else D.DEFAULT_DATA
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    texts = ['I am so happy today, thanks for everything!', '이 영화 정말 최악이다... 시간 아깝네요 ㅠㅠ']
    texts += [t for t, _ in D.load_goemotions(d, 'test', 'en')[:n]]
    texts += [t for t, _ in D.load_goemotions(d, 'test', 'ko')[:n]]
    texts += [t for t, _ in D.load_kote(d, 'test')[:n]]
    texts += [t for t, _ in D.load_nsmc(d, 'test')[:n]]
    texts += [a for a, _ in D.load_ethics_util(d, 'test')[:n]]
    texts += [t for t, _ in D.load_emobank(d, 'test')[:n]]
    tok = Tokenizer.from_file(os.path.join(D.REPO, 'models', 'tokenizer.json'))
    py = [e.ids for e in tok.encode_batch(texts)]
    with tempfile.TemporaryDirectory() as td:
        fi, fo = os.path.join(td, 'in.json'), os.path.join(td, 'out.json')
        json.dump(texts, open(fi, 'w', encoding='utf-8'), ensure_ascii=False)
        subprocess.run(['node', os.path.join(D.REPO, 'training', 'node', 'tokenizer_check.mjs'), fi, fo],
                       check=True, cwd=D.REPO)
        js = json.load(open(fo))
    bad = [i for i in range(len(texts)) if py[i] != js[i]]
    print(json.dumps({'texts': len(texts), 'identical': len(texts) - len(bad), 'mismatches': len(bad),
                      'examples': [{'text': texts[i], 'python': py[i], 'node': js[i]} for i in bad[:3]],
                      'fixed_en': {'text': texts[0], 'ids': py[0], 'node_same': py[0] == js[0]},
                      'fixed_ko': {'text': texts[1], 'ids': py[1], 'node_same': py[1] == js[1]}},
                     ensure_ascii=False, indent=1))


if __name__ == '__main__':
    main()
