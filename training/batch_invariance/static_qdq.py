"""Static QDQ quantisation (per-channel int8 weights, uint8 activations with calibrated scales) of the fp32 graph
rebuilt by dequant.py, calibrated on N GoEmotions-en + N/2 GoEmotions-ko TRAIN texts.
usage: python static_qdq.py DATA_DIR FP32.onnx OUT.onnx N minmax|pct|entropy"""
import numpy as np, sys, random, os
from tokenizers import Tokenizer
from onnxruntime.quantization import quantize_static, CalibrationDataReader, QuantFormat, QuantType, CalibrationMethod
tok = Tokenizer.from_file(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'models', 'tokenizer.json'))
DATA = sys.argv.pop(1)
random.seed(0)
en=[l.split('\t')[0] for l in open(os.path.join(DATA, 'goemotions', 'train.tsv'),encoding='utf-8')]
ko=[l.split('\t')[0] for l in open(os.path.join(DATA, 'goemotions_ko', 'train.tsv'),encoding='utf-8')]
texts=random.sample(en,int(sys.argv[3]))+random.sample(ko,int(sys.argv[3])//2)
class R(CalibrationDataReader):
    def __init__(s): s.it=iter(texts)
    def get_next(s):
        t=next(s.it,None)
        if t is None: return None
        ids=np.array([tok.encode(t).ids[:128]],np.int64)
        return {'input_ids':ids,'attention_mask':np.ones_like(ids)}
method={'minmax':CalibrationMethod.MinMax,'pct':CalibrationMethod.Percentile,'entropy':CalibrationMethod.Entropy}[sys.argv[4]]
quantize_static(sys.argv[1], sys.argv[2], R(), quant_format=QuantFormat.QDQ, per_channel=True,
    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, op_types_to_quantize=['MatMul'],
    calibrate_method=method, extra_options={'ActivationSymmetric':False,'WeightSymmetric':True})
print('done')
