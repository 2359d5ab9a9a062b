"""Configuration of :class:`~pyg_kgt.models.LocalStudent`."""
from __future__ import annotations

from dataclasses import dataclass, field

from pyg_kgt.config_dict import DictConfig, check_choice
from pyg_kgt.errors import ConfigError
from pyg_kgt.models.model_config import ModelConfig

PREDICTION_TRUST = ('agreement', 'uniform')
PREDICTION_QUERIES = ('all', 'target')
TRAIN_ON = ('target', 'transferred', 'linked')


def _student_model() -> ModelConfig:
    return ModelConfig()  # the teacher's default width: warm starts exactly


@dataclass
class LocalStudentConfig(DictConfig):
    r"""Configuration of a :class:`~pyg_kgt.models.LocalStudent`.

    The loss is :math:`\mathcal{L}_{\textrm{LP}} +
    \lambda_f \mathcal{L}_{\textrm{feat}} +
    \lambda_n \mathcal{L}_{\textrm{net}} +
    \lambda_p \mathcal{L}_{\textrm{pred}}`; a weight of 0 switches a
    level off (ablations).

    Args:
        model (ModelConfig): The student network. As wide as the teacher,
            it starts from the teacher's parameters as they are; narrower,
            from their projection (narrower and deeper students scored
            lower on validation: :doc:`/research_log`). Layers beyond the
            teacher's start as the identity. (default:
            :class:`ModelConfig` defaults, the teacher's default width 200)
        feature_weight (float): :math:`\lambda_f`. (default: 10.0)
        network_weight (float): :math:`\lambda_n`. (default: 10.0)
        prediction_weight (float): :math:`\lambda_p`. (default: 1.0)
        temperature (float): Of the prediction loss. (default: 2.0)
        prediction_batch_size (int): Cached teacher queries per step.
            (default: 1024)
        top_k (int): Teacher tails kept per query. (default: 50)
        prediction_trust (str): How far each cached query is trusted:
            ``"agreement"`` weights its prediction loss by the teacher's
            agreement with the target's known training facts on that query
            (:func:`~pyg_kgt.models.student.teacher_cache.agreement_with`;
            a query the target lacks takes its relation's mean), so a
            teacher that ranks a query's known answers low teaches nothing
            there; ``"uniform"`` trusts every query alike (the paper's
            loss, method ``student_uniform_prediction_kd``). Agreement is
            the safe choice: with a weak teacher it kept the student above
            both twins where uniform fell below the linked twin, at a small
            cost with a fully trained teacher (:doc:`/research_log`, fifth
            round).
            (default: ``"agreement"``)
        prediction_queries (str): Which cached queries are distilled:
            ``"target"``, the target's own training queries only (the
            paper's); ``"all"``, also the queries the teacher has facts for
            and the target lacks (``TeacherCache.missing``), the place
            where a source can add facts; trusted by their relation's
            agreement. (default: ``"all"``)
        warm_start (bool): Start from the teacher's parameters where it has
            a counterpart
            (:func:`~pyg_kgt.models.student.warm_start.warm_start`:
            embeddings of linked and aligned entities, layer weights,
            relation parameters); :obj:`False` is the cold start (random
            initialisation, method ``student_cold_start``).
            (default: :obj:`True`)
        fill_unaligned (bool): With the warm start, a target entity the
            teacher has no node for (no seed alignment) starts at the mean
            of its started neighbours' embeddings instead of the fresh
            initialisation (see
            :func:`~pyg_kgt.models.student.warm_start.fill_from_neighbours`).
            It did not help on validation (:doc:`/research_log`, tenth
            round): at one layer a fresh row is small next to the
            teacher's, so the layer already starts such an entity from its
            neighbours' messages. (default: :obj:`False`)
        train_on (str): The link prediction triples: ``"target"``, the
            target's training triples; ``"transferred"``, also the source
            facts restated in the target's terms through the seed
            alignment
            (:meth:`~pyg_kgt.models.LocalStudent.transferred_triples`),
            ranked against the target's entities like its own;
            ``"linked"``, also
            the source facts inside the linked subgraph, each source
            ranked against its own linked nodes. Transferred facts won on
            validation (:doc:`/research_log`, third round). Where no
            relation is shared or matched
            (:func:`~pyg_kgt.pipeline.infer_relations`) there are none,
            and it is ``"target"``.
            (default: ``"transferred"``)
        distillation_fade (float): :math:`\gamma` of
            :class:`~pyg_kgt.models.student.distillation_fade.
            DistillationFade`: at each validation that does not improve
            the student's best MRR, the three distillation weights are
            multiplied by it, so the teacher guides only while the student
            improves with it. 1.0 keeps them constant; 0.0 stops
            distillation at the first plateau. (default: 1.0)
        distillation_release (bool): When early stopping would stop, the
            student releases its teacher instead: the best checkpoint is
            restored, distillation is switched off, and training goes on
            on the target's loss alone for another ``patience``
            validations (within the epoch budget); the best checkpoint of
            either phase is kept. Up to that stop the run is the one
            without it, so its best validation MRR can only rise.
            (default: :obj:`False`)
        teacher_candidates (int): With a sampled 1-N loss
            (``training.num_candidates``), the teacher's top-ranked wrong
            tails of each training query that are scored beside the
            uniform candidates, at most ``top_k``
            (:class:`~pyg_kgt.models.student.teacher_candidates.
            TeacherCandidates`); hard negatives a uniform sample rarely
            draws. No effect with the full 1-N loss, which scores every
            tail. (default: 0, uniform candidates only)
        teacher_check (bool): Before training, check that the teacher
            ranks the target's own training facts better than chance
            (:class:`~pyg_kgt.models.student.teacher_check.TeacherCheck`,
            from the cache); a teacher that does not has the target's
            entities wrong, and the student trains without it (no warm
            start, no distillation: its linked twin), with a warning.
            (default: :obj:`True`)
    """
    model: ModelConfig = field(default_factory=_student_model)
    feature_weight: float = 10.0
    network_weight: float = 10.0
    prediction_weight: float = 1.0
    temperature: float = 2.0
    prediction_batch_size: int = 1024
    top_k: int = 50
    prediction_trust: str = 'agreement'
    prediction_queries: str = 'all'
    warm_start: bool = True
    fill_unaligned: bool = False
    train_on: str = 'transferred'
    distillation_fade: float = 1.0
    distillation_release: bool = False
    teacher_candidates: int = 0
    teacher_check: bool = True

    def __post_init__(self) -> None:
        check_choice('prediction_queries', self.prediction_queries,
                     PREDICTION_QUERIES)
        check_choice('train_on', self.train_on, TRAIN_ON)
        check_choice('prediction_trust', self.prediction_trust,
                     PREDICTION_TRUST)
        if isinstance(self.model, dict):
            self.model = ModelConfig.from_dict(self.model)
        for name in ('feature_weight', 'network_weight', 'prediction_weight'):
            if getattr(self, name) < 0:
                raise ConfigError(f'{name}: must be >= 0')
        if not 0 <= self.teacher_candidates <= self.top_k:
            raise ConfigError('teacher_candidates: must be in [0, top_k='
                              f'{self.top_k}], got {self.teacher_candidates}')
        if not 0.0 <= self.distillation_fade <= 1.0:
            raise ConfigError('distillation_fade: must be in [0, 1], got '
                              f'{self.distillation_fade}')
