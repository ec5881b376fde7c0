import { describe, expect, it } from 'vitest';
import { OptimError } from './errors';
import { NAdam, type NAdamOptions } from './nadam';
import { expectMatchesReference } from './test-utils';
import { optimizerContract } from './testing';

// Expected values computed with real PyTorch 1.13 (torch.optim.NAdam, float64 incl. its mu_product state):
//   torch.set_default_dtype(torch.float64)
//   p = torch.tensor(P0, requires_grad=True); opt = torch.optim.NAdam([p], foreach=True, **kwargs)
//   for g in GRADS: p.grad = sign * torch.tensor(g); opt.step(); print(p.tolist())
// foreach=True: 1.13's single-tensor path computes Π_{i≤t+1} μ_i as mu_product·μ_t·μ_{t+1} (μ_t counted twice; the
// first update differs by ~0.7%); its multi-tensor path, its docstring and PyTorch ≥ 2.0 (pytorch#92699,
// both paths) use mu_product·μ_{t+1}, which is what NAdam implements.
const P0 = [0.5, -1.25, 2.0, 0.0, -0.3];
const GRADS = [
  [0.3, -0.8, 1.5, 0.0, -0.05],
  [-0.2, 0.4, 1.1, 0.7, 0.02],
  [0.9, -0.1, -0.6, 0.3, -0.4],
  [0.05, 0.6, 0.2, -1.2, 0.3],
  [-0.7, -0.3, 0.8, 0.1, 0.0],
  [0.4, 0.2, -0.9, 0.5, -0.6],
];

const cases: [string, NAdamOptions, number[][]][] = [
  [
    'defaults (lr 2e-3): NAdam([p])',
    {},
    [
      [0.4978870965137193, -1.2478870964697004, 1.9978870964573752, 0.0, -0.29788709686586984],
      [
        0.49894185935992735, -1.2487093159151772, 1.9965490636997407, -0.002089960886906114,
        -0.29854651162584533,
      ],
      [
        0.4968357516278074, -1.2484062206803526, 1.9970589441875797, -0.003114038168582553,
        -0.29630040877528985,
      ],
      [
        0.4965443855832327, -1.2497209864427095, 1.9966717046841846, -0.0011320985029898872,
        -0.29763845384138604,
      ],
      [
        0.4979874759343955, -1.2490379823460658, 1.9955083488948733, -0.0012755143599821024,
        -0.2976092844726601,
      ],
      [
        0.49703708698588045, -1.2495403547466108, 1.9964583551897206, -0.00221781220777576,
        -0.2953419867520441,
      ],
    ],
  ],
  [
    'NAdam([p], lr=0.05, betas=(0.8, 0.99), eps=1e-3, weight_decay=0.1, momentum_decay=0.02)',
    { lr: 0.05, betas: [0.8, 0.99], eps: 1e-3, weightDecay: 0.1, momentumDecay: 0.02 },
    [
      [0.4453841452994904, -1.195287248920432, 1.945260299823979, 0.0, -0.24590429629663807],
      [
        0.46386626059212244, -1.2070599476724098, 1.9071509620710534, -0.05628175888978716,
        -0.23794568672710956,
      ],
      [
        0.4054788880388903, -1.1904447245661487, 1.9119689464152911, -0.08571248851508272,
        -0.17608768744785291,
      ],
      [0.3927463928285926, -1.21740001158625, 1.8945493327804557, -0.03103505138543995, -0.20792515310932408],
      [0.428633472469587, -1.190007701531036, 1.857854658787712, -0.033564844042217275, -0.20345499073836346],
      [
        0.3997479841274456, -1.1929741599720232, 1.8740205418053748, -0.05916520332943951,
        -0.1389685662194941,
      ],
    ],
  ],
  [
    // PyTorch 1.13 has no maximize: these are its steps on −g (sign = −1), which maximize with g must equal
    'maximize with g = PyTorch NAdam([p], lr=0.05) on −g',
    { lr: 0.05, maximize: true },
    [
      [0.5528225871570165, -1.302822588257487, 2.052822588565619, 0.0, -0.3528225783532537],
      [0.5264535160018157, -1.2822671021205656, 2.08627340750648, 0.05224902217265286, -0.336337209353866],
      [
        0.5791062093048143, -1.2898444829911848, 2.0735263953105068, 0.07785095421456384,
        -0.39248978061775275,
      ],
      [0.5863903604191824, -1.2569753389322595, 2.083207382895381, 0.02830246257474719, -0.35903865396534784],
      [0.5503131016401124, -1.2740504413483495, 2.112291277628168, 0.03188785899955257, -0.35976788818349686],
      [
        0.5740728253529892, -1.2614911313347255, 2.0885411202569863, 0.05544530519439401,
        -0.41645033119889635,
      ],
    ],
  ],
];

describe('NAdam matches PyTorch (torch.optim.NAdam) step by step', () => {
  it.each(cases)('%s', (_, options, expected) => {
    expectMatchesReference((params) => new NAdam(params, options), P0, GRADS, expected, {
      float64: 1e-12,
      float32: 1e-5,
    });
  });

  it.each(Object.keys(optimizerContract))('keeps the optimizer contract: %s', (check) => {
    optimizerContract[check]((params, overrides) => new NAdam(params, { lr: 0.01, ...overrides }));
  });

  it('has PyTorch defaults and rejects bad hyperparameters by name, value and range', () => {
    const opt = new NAdam([{ data: new Float64Array(2), grad: null }]);
    expect(opt.defaults).toEqual({
      lr: 2e-3,
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-8,
      weightDecay: 0,
      momentumDecay: 4e-3,
      maximize: false,
    });
    const make = (o: NAdamOptions) => () => new NAdam([{ data: new Float64Array(2), grad: null }], o);
    expect(make({ beta2: 1 })).toThrow('NAdam: beta2 (betas[1]) = 1 is invalid; expected a number in [0, 1)');
    expect(make({ momentumDecay: -1 })).toThrow(
      'NAdam: momentumDecay = -1 is invalid; expected a finite number >= 0',
    );
    expect(make({ betas: [0.9, 0.99], beta1: 0.5 })).toThrow(OptimError);
  });
});
