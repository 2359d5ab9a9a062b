import ast
import os

PACKAGE = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), 'pyg_kgt')


def _modules():
    r"""Every module of the package by dotted name -> its parsed source."""
    found = {}
    for folder, _, files in os.walk(PACKAGE):
        for name in files:
            if name.endswith('.py'):
                path = os.path.join(folder, name)
                rel = os.path.relpath(path, os.path.dirname(PACKAGE))
                module = rel[:-3].replace(os.sep, '.')
                module = module[:-len('.__init__')] if module.endswith(
                    '.__init__') else module
                with open(path, encoding='utf-8') as f:
                    found[module] = ast.parse(f.read())
    return found


def _imports(module, tree, modules):
    r"""The package modules ``module`` imports when it is imported (top
    level, outside ``if TYPE_CHECKING``), a package's own children left
    out (re-exports, not dependencies)."""
    out = set()
    for node in tree.body:
        if isinstance(node, ast.If) and 'TYPE_CHECKING' in ast.dump(
                node.test):
            continue
        if isinstance(node, ast.ImportFrom) and node.module and \
                node.module.startswith('pyg_kgt'):
            names = [f'{node.module}.{a.name}' for a in node.names]
            out |= {n for n in names + [node.module] if n in modules}
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name in modules}
    return {m for m in out if not m.startswith(module + '.')
            and m != module}


def test_no_import_cycle_in_the_package():
    modules = _modules()
    graph = {m: _imports(m, tree, modules) for m, tree in modules.items()}
    state, cycles = {}, []

    def visit(module, path):
        state[module] = 'open'
        for nxt in sorted(graph[module]):
            if state.get(nxt) == 'open':
                cycles.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[module] = 'done'
    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert len(graph) > 50 and sum(map(len, graph.values())) > 150
    assert cycles == []


def test_the_library_imports_no_benchmark_code():
    for module, tree in _modules().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith('benchmarks'), module
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith('benchmarks')
                               for a in node.names), module
