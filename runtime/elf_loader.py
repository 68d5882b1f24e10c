"""Loading x86-64 ELF relocatable objects into executable memory, without LLVM.

The object code the compiler emits (and the object cache keeps) is an ELF relocatable file:
sections, symbols and relocations. Linking it is a small job: map the allocatable sections,
resolve each undefined symbol to an address in the process, apply the relocations, and make
the code executable. Doing it here means a process that finds its kernels in the cache never
imports `llvmlite.binding` (loading libLLVM and llvmlite's own start-up cost a warm process
~30 ms of its ~90; see benchmarks/RESULTS.md).

What is supported is what LLVM emits for the small and large code models on x86-64 Linux,
PIC or not: `.text`/`.rodata*`/`.data`/`.bss` and their `.l*` large-model forms, relocations
`R_X86_64_{NONE,64,PC32,PLT32,GOTPCREL,GOTPCRELX,REX_GOTPCRELX,PC64,32,32S}` against local,
global, weak and undefined symbols. A call or a PC-relative reference to a symbol more than
2 GiB away goes through a stub (`jmp *addr(%rip)`) or a GOT slot placed next to the code.
Anything else (another machine, TLS, common symbols, constructors, a relocation type not
listed) raises `UnsupportedObject`, leaving nothing mapped, and the caller links the
object with LLVM's JIT instead. `.eh_frame` is not loaded: nothing unwinds through kernels
(they call no C++ and raise no exceptions), so debuggers and profilers see their frames
without unwind tables.

The image is one private anonymous mapping: code (then stubs) read+execute, read-only data
(then GOT slots) read-only, writable data read+write, each part page-aligned. `LoadedImage`
owns it and unmaps it when closed or collected (never at interpreter exit, when a daemon
thread might still run its code).
"""

from __future__ import annotations

import ctypes
import os
import platform
import struct
import sys
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

_EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
_SHDR = struct.Struct("<IIQQQQIIQQ")
_SYM = struct.Struct("<IBBHQQ")
_RELA = struct.Struct("<QQq")

_EM_X86_64 = 62
_ET_REL = 1

_SHT_PROGBITS = 1
_SHT_SYMTAB = 2
_SHT_RELA = 4
_SHT_NOBITS = 8
_SHT_REL = 9
_SHT_INIT_ARRAY = 14
_SHT_FINI_ARRAY = 15
_SHT_PREINIT_ARRAY = 16
_SHT_X86_64_UNWIND = 0x70000001

_SHF_WRITE = 0x1
_SHF_ALLOC = 0x2
_SHF_EXECINSTR = 0x4
_SHF_TLS = 0x400

_SHN_UNDEF = 0
_SHN_ABS = 0xFFF1
_SHN_COMMON = 0xFFF2

_STB_LOCAL = 0
_STB_WEAK = 2
_STT_TLS = 6

_R_NONE = 0
_R_64 = 1
_R_PC32 = 2
_R_PLT32 = 4
_R_GOTPCREL = 9
_R_32 = 10
_R_32S = 11
_R_PC64 = 24
_R_GOTPCRELX = 41
_R_REX_GOTPCRELX = 42
_GOT_TYPES = (_R_GOTPCREL, _R_GOTPCRELX, _R_REX_GOTPCRELX)
_SUPPORTED = frozenset((_R_NONE, _R_64, _R_PC32, _R_PLT32, _R_32, _R_32S, _R_PC64, *_GOT_TYPES))

_MAX_SECTION = 1 << 30  # a larger section (zero-filled data, in practice) is refused
_STUB_SIZE = 16  # jmp *0(%rip) (6 bytes), the 8-byte address, 2 bytes of padding
_PAGE = 4096

_PROT_READ = 1
_PROT_WRITE = 2
_PROT_EXEC = 4
_MAP_PRIVATE = 0x02
_MAP_ANONYMOUS = 0x20
_MAP_FAILED = ctypes.c_void_p(-1).value


class UnsupportedObject(Exception):
    """The object uses something this loader does not implement (the message says what)."""


class UnresolvedSymbol(Exception):
    """The object refers to symbols that neither the resolver nor the process defines."""


def loader_supported() -> bool:
    """Whether this platform can run the objects this loader links (Linux on x86-64)."""
    machine = platform.machine().lower()
    return sys.platform.startswith("linux") and machine in ("x86_64", "amd64")


def enabled() -> bool:
    """Whether objects are linked by this loader: where it runs (`loader_supported`), unless
    `ZIGGURAT_LINKER=lljit` asks for LLVM's JIT."""
    return loader_supported() and os.environ.get("ZIGGURAT_LINKER", "") != "lljit"


_libc: ctypes.CDLL | None = None


def _c() -> ctypes.CDLL:
    global _libc
    if _libc is None:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.mmap.restype = ctypes.c_void_p
        libc.mmap.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_int,
            ctypes.c_int,
            ctypes.c_int,
            ctypes.c_long,
        ]
        libc.mprotect.restype = ctypes.c_int
        libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        libc.munmap.restype = ctypes.c_int
        libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
        libc.dlsym.restype = ctypes.c_void_p
        libc.dlsym.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        _libc = libc
    return _libc


def process_symbol(name: str) -> int | None:
    """The address of `name` in the process's global symbol scope (`dlsym(RTLD_DEFAULT)`:
    the executable, libc, libm and every library loaded with global visibility)."""
    address = _c().dlsym(None, name.encode())
    return int(address) if address else None


def _unmap(base: int, size: int) -> None:
    _c().munmap(base, size)


@dataclass
class LoadedImage:
    """An object's sections mapped into the process: its symbols' addresses."""

    base: int
    size: int
    symbols: dict[str, int]
    _finalizer: weakref.finalize | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._finalizer = weakref.finalize(self, _unmap, self.base, self.size)
        self._finalizer.atexit = False

    def __getitem__(self, name: str) -> int:
        return self.symbols[name]

    def close(self) -> None:
        """Unmap the image (its code must not run any more)."""
        if self._finalizer is not None:
            self._finalizer()


@dataclass
class _Section:
    name: str
    kind: int  # 0 code, 1 read-only data, 2 writable data
    type: int
    offset: int
    size: int
    align: int
    place: int = 0  # offset in the image


def _align(value: int, alignment: int) -> int:
    return (value + alignment - 1) // alignment * alignment


def _cstr(table: bytes, offset: int) -> str:
    end = table.index(b"\0", offset)
    return table[offset:end].decode("utf-8", "replace")


def load_object(
    obj: bytes, resolve: Callable[[str], int | None], exports: Iterable[str]
) -> LoadedImage:
    """Map, relocate and protect the ELF relocatable `obj`; look up `exports` in it.

    Undefined symbols are looked up with `resolve` first, then in the process
    (`process_symbol`); `UnresolvedSymbol` names any left (an undefined weak symbol is 0).
    `UnsupportedObject` is raised (nothing stays mapped) for what the module docstring lists
    as unsupported, for a malformed or truncated file, and for an export the object does not
    define.
    """
    try:
        return _load(obj, resolve, list(exports))
    except (struct.error, IndexError, ValueError, OverflowError) as error:
        raise UnsupportedObject(f"malformed object: {error}") from error


def _load(obj: bytes, resolve: Callable[[str], int | None], wanted: list[str]) -> LoadedImage:
    if len(obj) < _EHDR.size or obj[:4] != b"\x7fELF":
        raise UnsupportedObject("not an ELF file")
    (ident, e_type, e_machine, _v, _entry, _phoff, shoff, _flags, _ehsize, _phes, _phn,
     shentsize, shnum, shstrndx) = _EHDR.unpack_from(obj)  # fmt: skip
    if ident[4] != 2 or ident[5] != 1:
        raise UnsupportedObject("not a little-endian 64-bit ELF file")
    if e_type != _ET_REL or e_machine != _EM_X86_64:
        raise UnsupportedObject(
            f"not an x86-64 relocatable object (type {e_type}, machine {e_machine})"
        )
    if shentsize != _SHDR.size or shoff + shnum * shentsize > len(obj):
        raise UnsupportedObject("malformed section header table")
    headers = [_SHDR.unpack_from(obj, shoff + i * shentsize) for i in range(shnum)]
    names_header = headers[shstrndx]
    shstr = obj[names_header[4] : names_header[4] + names_header[5]]

    sections: dict[int, _Section] = {}
    relas: list[tuple[int, int, int, int]] = []  # (target section, offset, size, symtab index)
    symtab: tuple[int, int, int] | None = None  # (offset, size, string table section)
    for index, (sh_name, sh_type, flags, _addr, offset, size, link, info, align, _es) in enumerate(
        headers
    ):
        name = _cstr(shstr, sh_name)
        if sh_type != _SHT_NOBITS and offset + size > len(obj):
            raise UnsupportedObject(f"section {name} runs past the end of the file")
        if sh_type == _SHT_SYMTAB:
            symtab = (offset, size, link)
        elif sh_type == _SHT_RELA:
            relas.append((info, offset, size, link))
        elif sh_type == _SHT_REL:
            raise UnsupportedObject(f"REL relocations in section {name}")
        if not flags & _SHF_ALLOC or sh_type == _SHT_X86_64_UNWIND or name == ".eh_frame":
            continue
        if flags & _SHF_TLS:
            raise UnsupportedObject(f"thread-local section {name}")
        if sh_type in (_SHT_INIT_ARRAY, _SHT_FINI_ARRAY, _SHT_PREINIT_ARRAY):
            raise UnsupportedObject(f"constructor or destructor section {name}")
        if sh_type not in (_SHT_PROGBITS, _SHT_NOBITS):
            raise UnsupportedObject(f"section {name} of type {sh_type:#x}")
        if align > _PAGE or align & (align - 1):
            raise UnsupportedObject(f"section {name} is aligned to {align} bytes")
        if size > _MAX_SECTION:
            raise UnsupportedObject(f"section {name} has {size} bytes")
        kind = 0 if flags & _SHF_EXECINSTR else 2 if flags & _SHF_WRITE else 1
        sections[index] = _Section(name, kind, sh_type, offset, size, max(1, align))
    if symtab is None:
        raise UnsupportedObject("no symbol table")

    sym_offset, sym_size, strtab_index = symtab
    strtab_header = headers[strtab_index]
    strtab = obj[strtab_header[4] : strtab_header[4] + strtab_header[5]]
    symbols = []
    for i in range(sym_size // _SYM.size):
        st_name, info, _other, shndx, value, _size = _SYM.unpack_from(
            obj, sym_offset + i * _SYM.size
        )
        bind, kind = info >> 4, info & 0xF
        if shndx == _SHN_COMMON:
            raise UnsupportedObject(f"common symbol {_cstr(strtab, st_name)}")
        if kind == _STT_TLS:
            raise UnsupportedObject(f"thread-local symbol {_cstr(strtab, st_name)}")
        symbols.append((_cstr(strtab, st_name), bind, kind, shndx, value))

    # The relocations to apply (those of loaded sections), checked before mapping anything.
    relocations: list[tuple[_Section, int, int, int, int]] = []
    got_symbols: dict[int, int] = {}
    external: dict[int, None] = {}
    for target, offset, size, _link in relas:
        section = sections.get(target)
        if section is None:
            continue  # relocations of .eh_frame or of a section not loaded
        for k in range(size // _RELA.size):
            r_offset, r_info, addend = _RELA.unpack_from(obj, offset + k * _RELA.size)
            r_sym, r_type = r_info >> 32, r_info & 0xFFFFFFFF
            if r_type not in _SUPPORTED:
                raise UnsupportedObject(f"relocation type {r_type} in {section.name}")
            if r_sym >= len(symbols):
                raise UnsupportedObject(f"relocation against symbol {r_sym} of {len(symbols)}")
            if r_offset + 8 > section.size and r_type in (_R_64, _R_PC64):
                raise UnsupportedObject(f"relocation past the end of {section.name}")
            if r_offset + 4 > section.size:
                raise UnsupportedObject(f"relocation past the end of {section.name}")
            if r_type in _GOT_TYPES:
                got_symbols.setdefault(r_sym, len(got_symbols))
            if symbols[r_sym][3] == _SHN_UNDEF and r_type == _R_PLT32:
                external[r_sym] = None
            relocations.append((section, r_offset, r_type, r_sym, addend))

    defined = {s[0]: i for i, s in enumerate(symbols) if s[1] != _STB_LOCAL and s[3] != _SHN_UNDEF}
    for name in wanted:
        if name not in defined:
            raise UnsupportedObject(f"the object does not define {name}")

    # Layout: code and stubs, read-only data and GOT slots, writable data.
    stub_index = {sym: i for i, sym in enumerate(external)}
    parts = [0, 0, 0]
    for section in sections.values():
        section.place = _align(parts[section.kind], section.align)
        parts[section.kind] = section.place + section.size
    stubs_at = _align(parts[0], 16)
    parts[0] = stubs_at + _STUB_SIZE * len(stub_index)
    got_at = _align(parts[1], 8)
    parts[1] = got_at + 8 * len(got_symbols)
    starts = [0, _align(parts[0], _PAGE), 0]
    starts[2] = starts[1] + _align(parts[1], _PAGE)
    total = starts[2] + _align(parts[2], _PAGE)
    total = max(total, _PAGE)

    # Every undefined symbol, resolved before mapping.
    addresses: list[int] = []
    missing: list[str] = []
    for name, bind, _kind, shndx, _value in symbols:
        if shndx != _SHN_UNDEF or not name:
            addresses.append(0)
            continue
        address = resolve(name)
        if address is None:
            address = process_symbol(name)
        if address is None:
            if bind != _STB_WEAK:
                missing.append(name)
            address = 0
        addresses.append(address)
    if missing:
        raise UnresolvedSymbol(f"symbols not found: {', '.join(sorted(set(missing)))}")

    libc = _c()
    base = libc.mmap(None, total, _PROT_READ | _PROT_WRITE, _MAP_PRIVATE | _MAP_ANONYMOUS, -1, 0)
    if base is None or base == _MAP_FAILED:
        raise MemoryError(f"mmap of {total} bytes failed (errno {ctypes.get_errno()})")
    unloaded: set[int] = set()
    try:
        memory = (ctypes.c_char * total).from_address(base)
        view = memoryview(memory).cast("B")
        for section in sections.values():
            section.place += starts[section.kind]
            if section.type == _SHT_PROGBITS and section.size:
                view[section.place : section.place + section.size] = obj[
                    section.offset : section.offset + section.size
                ]
        for i, (_name, _bind, _kind, shndx, value) in enumerate(symbols):
            if shndx == _SHN_UNDEF:
                continue
            if shndx == _SHN_ABS:
                addresses[i] = value
            elif shndx in sections:
                addresses[i] = base + sections[shndx].place + value
            elif shndx < len(headers):
                addresses[i] = 0  # in a section not loaded (.eh_frame, a note)
                unloaded.add(i)
            else:
                raise UnsupportedObject(f"symbol {symbols[i][0]} in section {shndx}")
        stubs_at += starts[0]
        for sym, i in stub_index.items():
            at = stubs_at + _STUB_SIZE * i
            view[at : at + _STUB_SIZE] = (
                b"\xff\x25\x00\x00\x00\x00" + struct.pack("<Q", addresses[sym]) + b"\xcc\xcc"
            )
        got_at += starts[1]
        for sym, i in got_symbols.items():
            struct.pack_into("<Q", view, got_at + 8 * i, addresses[sym])

        for section, r_offset, r_type, r_sym, addend in relocations:
            if r_sym in unloaded:
                raise UnsupportedObject(f"{section.name} refers to a section that is not loaded")
            at = section.place + r_offset
            place = base + at
            value = addresses[r_sym]
            if r_type == _R_NONE:
                continue
            if r_type == _R_64:
                struct.pack_into("<Q", view, at, (value + addend) & 0xFFFFFFFFFFFFFFFF)
            elif r_type == _R_PC64:
                struct.pack_into("<Q", view, at, (value + addend - place) & 0xFFFFFFFFFFFFFFFF)
            elif r_type in (_R_PC32, _R_PLT32):
                delta = value + addend - place
                if not -(2**31) <= delta < 2**31 and r_sym in stub_index:
                    delta = base + stubs_at + _STUB_SIZE * stub_index[r_sym] + addend - place
                if not -(2**31) <= delta < 2**31:
                    raise UnsupportedObject(
                        f"a PC-relative reference in {section.name} is out of range"
                    )
                struct.pack_into("<i", view, at, delta)
            elif r_type in _GOT_TYPES:
                slot = base + got_at + 8 * got_symbols[r_sym]
                struct.pack_into("<i", view, at, slot + addend - place)
            elif r_type == _R_32:
                result = value + addend
                if not 0 <= result < 2**32:
                    raise UnsupportedObject(
                        f"an absolute 32-bit reference in {section.name} is out of range"
                    )
                struct.pack_into("<I", view, at, result)
            else:  # _R_32S
                result = value + addend
                if not -(2**31) <= result < 2**31:
                    raise UnsupportedObject(
                        f"an absolute 32-bit reference in {section.name} is out of range"
                    )
                struct.pack_into("<i", view, at, result)
        view.release()
        del memory

        protections = ((0, parts[0], _PROT_READ | _PROT_EXEC), (1, parts[1], _PROT_READ))
        for kind, used, prot in protections:
            if used and libc.mprotect(base + starts[kind], _align(used, _PAGE), prot) != 0:
                raise OSError(ctypes.get_errno(), "mprotect failed")
    except BaseException:
        _unmap(base, total)
        raise
    return LoadedImage(base, total, {name: addresses[defined[name]] for name in wanted})
