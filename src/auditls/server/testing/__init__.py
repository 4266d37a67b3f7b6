"""The testing domain in the editor: hover on pytest fixtures (where the nearest definition
is, its scope, who uses it, what it depends on), on tests (fixtures, parametrize cases, marks,
Hypothesis strategies, patches, assertions), on pytest hook implementations, and, under a
finding, which tests reach the function it sits in. ``text`` writes the Markdown (no LSP);
``hover`` registers the providers."""
