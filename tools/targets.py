"""Output targets for `ziggurat-opt -t`."""

from collections.abc import Callable

from xdsl.utils.target import Target


def get_all_targets() -> dict[str, Callable[[], type[Target]]]:
    """Target name -> lazy loader of the target class."""

    def get_llvm() -> type[Target]:
        from ziggurat.lowering.llvm_translate import LLVMIRTarget

        return LLVMIRTarget

    def get_asm() -> type[Target]:
        from ziggurat.lowering.llvm_translate import AsmTarget

        return AsmTarget

    return {"llvm": get_llvm, "asm": get_asm}
