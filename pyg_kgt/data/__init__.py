r"""Knowledge graphs, multi-source KGs and their PyG views."""
from pyg_kgt.data.alignment import AlignmentLinks
from pyg_kgt.data.homogeneous_view import HomogeneousView
from pyg_kgt.data.joint_graph import JointGraph, merge_components
from pyg_kgt.data.knowledge_graph import KnowledgeGraph
from pyg_kgt.data.multi_source_kg import MultiSourceKG
from pyg_kgt.data.relation_matching import (RelationMatch,
                                            infer_relation_alignment)
from pyg_kgt.data.relation_vocabulary import RelationVocabulary
from pyg_kgt.data.readers import (FORMATS, detect_format, read_dbp5l,
                                  read_gcn_align, read_multi_source,
                                  read_openea, read_relation_alignment,
                                  read_tsv)
from pyg_kgt.data.synthetic import (make_product_multi_source_kg,
                                    make_synthetic_multi_source_kg)

__all__ = [
    'AlignmentLinks', 'HomogeneousView', 'JointGraph', 'merge_components',
    'KnowledgeGraph', 'MultiSourceKG',
    'FORMATS', 'detect_format', 'read_multi_source', 'read_dbp5l',
    'read_gcn_align', 'read_openea', 'read_relation_alignment', 'read_tsv',
    'RelationVocabulary', 'RelationMatch', 'infer_relation_alignment',
    'make_product_multi_source_kg', 'make_synthetic_multi_source_kg',
]
