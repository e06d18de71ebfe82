package beamlink

import (
	"context"
	"reflect"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
)

func init() {
	for _, t := range []any{Task{}, BlockStat{}, ScoreStat{}, ClusterStat{}} {
		beam.RegisterType(reflect.TypeOf(t))
	}
	register.DoFn9x1[context.Context, Task, func(int, []byte), func(int, []byte), func(int, []byte), func(int, []byte), func(string, int64), func(int, []byte), func(int, []byte), error](&readFn{})
	register.DoFn4x1[int, func(*[]byte) bool, func(int, []byte), func(string, BlockStat), error](&blockFn{})
	register.DoFn4x1[context.Context, int, func(*[]byte) bool, func(int, []byte), error](&diceFn{})
	register.DoFn3x1[int, func(*[]byte) bool, func(int, []byte), error](&topHitsFn{})
	register.DoFn5x1[int, func(*[]byte) bool, func(int, []byte), func(int, []byte), func(string, int64), error](&tfCountFn{})
	register.DoFn2x1[int, func(int, []byte), error](&sampleFn{})
	register.DoFn7x1[context.Context, int, func(*[]byte) bool, func([]byte), func(string, int64), func(string, int64), func(int, int64), error](&cellFn{})
	register.Function2x1(sumInt64)
	register.Function2x1(stageOfCell)
	register.Function3x0(cellGate)
	register.DoFn5x1[context.Context, []byte, func(*string, *int64) bool, func(*string, *int64) bool, func(string), error](&fitFn{})
	register.DoFn4x1[[]byte, string, func(*string, *int64) bool, func(string), error](&priorsFn{})
	register.DoFn7x1[[]byte, string, string, func(*string, *int64) bool, func(*string, *int64) bool, func(int, []byte), func(int, ScoreStat), error](&scoreFn{})
	register.Function2x1(addBlockStat)
	register.Function2x1(addScoreStat)
	register.Function2x1(addClusterStat)
	register.DoFn3x1[int, func(*[]byte) bool, func(int, []byte), error](&ccFn{})
	register.DoFn5x1[int, func(*[]byte) bool, func(int, []byte), func(int, []byte), func(int, []byte), error](&componentFn{})
	register.DoFn10x1[context.Context, int, func(*[]byte) bool, string, string, func(*string, *int64) bool, func(*string, *int64) bool, func(int, []byte), func(int, []byte), func(ClusterStat), error](&clusterFn{})
	register.Function3x1(householdEdgesFn)
	register.DoFn4x1[int, func(*[]byte) bool, func(int, []byte), func(int, []byte), error](&coResFn{})
	register.DoFn3x1[int, func(*[]byte) bool, func(int, []byte), error](&attachFn{})
	register.DoFn4x1[int, func(*[]byte) bool, func(int, []byte), func(ClusterStat), error](&joinFn{})
	register.Function2x2(packNodes)
	register.Function3x1(unpackLabels)
	register.Emitter2[uint64, uint64]()
	register.DoFn3x1[int, func(*[]byte) bool, func(int, []byte), error](&rowFn{})
	register.DoFn3x1[context.Context, int, func(*[]byte) bool, error](&writeShardFn{})
	register.Function1x2(shardMarker)
	register.DoFn7x1[context.Context, []byte, string, func(*string, *BlockStat) bool, func(*int, *ScoreStat) bool, func(*ClusterStat) bool, func(*int, *int64) bool, error](&summaryFn{})

	register.Emitter2[int, []byte]()
	register.Emitter1[[]byte]()
	register.Emitter2[string, int64]()
	register.Emitter2[int, int64]()
	register.Emitter2[string, BlockStat]()
	register.Emitter2[int, ScoreStat]()
	register.Emitter1[string]()
	register.Emitter1[ClusterStat]()
	register.Iter1[[]byte]()
	register.Iter2[string, int64]()
	register.Iter2[int, int64]()
	register.Iter2[string, BlockStat]()
	register.Iter2[int, ScoreStat]()
	register.Iter1[ClusterStat]()
}

// Build adds the linkage of plan to the pipeline: the links go to shards in
// plan.ShardDir (MergeShards reads them back in order) with a Summary
// beside them. modelJSON, when not empty, is applied as it is instead of
// fitting a model. Every shuffle moves packets (see packet.go).
func Build(s beam.Scope, plan *Plan, modelJSON string) {
	ps := plan.Encode()
	s = s.Scope("swd.link")

	// 1. Read the row groups.
	read := beam.ParDoN(s.Scope("Read"), &readFn{Plan: ps}, beam.CreateList(s, plan.Tasks()))
	cellRecs, blocks, tfs, recs, totals, clks, ties := read[0], read[1], read[2], read[3], read[4], read[5], read[6]

	// 2. Candidate pairs: blocks and the Dice pass, sent to their cells.
	bs := s.Scope("Block")
	pairs, blockStats := beam.ParDo2(bs, &blockFn{Plan: ps}, beam.GroupByKey(bs, blocks))
	ds := s.Scope("DicePass")
	hits := beam.ParDo(ds, &diceFn{Plan: ps}, beam.GroupByKey(ds, clks))
	dicePairs := beam.ParDo(ds, &topHitsFn{Plan: ps}, beam.GroupByKey(ds, hits))

	// 3. Term frequencies, to the cells and to the records.
	ts := s.Scope("TermFrequencies")
	tf := beam.ParDoN(ts, &tfCountFn{Plan: ps}, beam.GroupByKey(ts, tfs))
	tfCells, tfRecs := tf[0], tf[1]
	totalsSum := beam.CombinePerKey(ts, sumInt64, totals)
	sumSq := beam.CombinePerKey(ts, sumInt64, tf[2])

	// 4. The cells: every distinct pair compared once, with the random
	// pairs behind u.
	js := s.Scope("Compare")
	cellIn := []beam.PCollection{cellRecs, tfCells, pairs, dicePairs}
	if modelJSON == "" {
		jobs := make([]int, len(plan.Jobs))
		for k := range jobs {
			jobs[k] = k
		}
		cellIn = append(cellIn, beam.ParDo(js, &sampleFn{Plan: ps}, beam.CreateList(js, jobs)))
	}
	// The cells are split among groupings, one per cell up to
	// maxCellStages (Plan.cellStages): Prism hands a grouping's whole
	// output to one bundle, sent to the worker as one gRPC message, which
	// may not exceed 2 GiB (at a million records the cells' input is ~2.6
	// GB on a grid of 4). The split runs in the producers' stages (Prism
	// fuses the partition into them).
	var cellOut [4][]beam.PCollection
	stages := plan.cellStages()
	stageIn := make([][]beam.PCollection, stages)
	for _, c := range cellIn {
		for i, part := range beam.Partition(js, stages, stageOfCell, c) {
			stageIn[i] = append(stageIn[i], part)
		}
	}
	for i, in := range stageIn {
		if l := plan.CellLanes; l > 0 && i >= l {
			// Stage i's grouping waits for stage i−l to finish.
			in = append(in, beam.ParDo(js, cellGate, cellOut[3][i-l]))
		}
		cell := beam.ParDoN(js, &cellFn{Plan: ps}, beam.GroupByKey(js, beam.Flatten(js, in...)))
		for i := range cellOut {
			cellOut[i] = append(cellOut[i], cell[i])
		}
	}
	compared, patterns := beam.Flatten(js, cellOut[0]...), beam.Flatten(js, cellOut[1]...)
	sampled, blocked := beam.Flatten(js, cellOut[2]...), beam.Flatten(js, cellOut[3]...)

	// 5. The model, and the prior of each job.
	ms := s.Scope("Model")
	var model beam.PCollection
	jobPatterns := beam.CombinePerKey(ms, sumInt64, patterns)
	if modelJSON != "" {
		model = beam.Create(ms, modelJSON)
	} else {
		model = beam.ParDo(ms, &fitFn{Plan: ps}, beam.Impulse(ms),
			beam.SideInput{Input: jobPatterns},
			beam.SideInput{Input: beam.CombinePerKey(ms, sumInt64, sampled)})
	}
	priors := beam.ParDo(ms, &priorsFn{Plan: ps}, beam.Impulse(ms), beam.SideInput{Input: model}, beam.SideInput{Input: jobPatterns})

	// 6. Scores and edges.
	ss := s.Scope("Score")
	edges, scoreStats := beam.ParDo2(ss, &scoreFn{Plan: ps}, compared, beam.SideInput{Input: model}, beam.SideInput{Input: priors},
		beam.SideInput{Input: totalsSum}, beam.SideInput{Input: sumSq})

	// 7. Persons and households: components of the edges and of the
	// records sharing a partner household id, each clustered by
	// cluster.Build.
	cs := s.Scope("Persons")
	tieEdges := beam.ParDo(cs, householdEdgesFn, beam.GroupByKey(cs, ties))
	labels := Components(cs, beam.Flatten(cs, edges, tieEdges), plan.Rounds, plan.Buckets)
	comp := beam.ParDoN(cs, &componentFn{Plan: ps}, beam.GroupByKey(cs, beam.Flatten(cs, recs, tfRecs, labels, edges)))
	compIn, alone, aloneCoRes := comp[0], comp[1], comp[2]
	clustered := beam.ParDoN(cs, &clusterFn{Plan: ps}, beam.GroupByKey(cs, compIn),
		beam.SideInput{Input: model}, beam.SideInput{Input: priors}, beam.SideInput{Input: totalsSum}, beam.SideInput{Input: sumSq})
	persons := beam.Flatten(cs, clustered[0], alone)
	coRes := beam.Flatten(cs, clustered[1], aloneCoRes)
	clusterStats := clustered[2]

	// 8. Households joined by co-residence: the pairs of households alone
	// holding a key, their components, each component's joins.
	hs := s.Scope("Households")
	rowsIn := persons
	if !plan.NoCoResidence {
		nodes, pairs := beam.ParDo2(hs, &coResFn{Buckets: plan.Buckets}, beam.GroupByKey(hs, coRes))
		hhLabels := Components(hs, nodes, plan.Rounds, plan.Buckets)
		attached := beam.ParDo(hs, &attachFn{Buckets: plan.Buckets}, beam.GroupByKey(hs, beam.Flatten(hs, hhLabels, pairs)))
		joined, joinStats := beam.ParDo2(hs, &joinFn{Buckets: plan.Buckets}, beam.GroupByKey(hs, attached))
		rowsIn = beam.Flatten(hs, persons, joined)
		clusterStats = beam.Flatten(hs, clusterStats, joinStats)
	}
	rows := beam.ParDo(hs, &rowFn{Plan: ps}, beam.GroupByKey(hs, rowsIn))

	// 9. Output shards and the summary.
	os := s.Scope("Write")
	shards := make([]int, plan.Shards)
	for k := range shards {
		shards[k] = k
	}
	markers := beam.ParDo(os, shardMarker, beam.CreateList(os, shards))
	beam.ParDo0(os, &writeShardFn{Plan: ps}, beam.GroupByKey(os, beam.Flatten(os, rows, markers)))
	beam.ParDo0(os, &summaryFn{Plan: ps}, beam.Impulse(os), beam.SideInput{Input: model},
		beam.SideInput{Input: beam.CombinePerKey(os, addBlockStat, blockStats)},
		beam.SideInput{Input: beam.CombinePerKey(os, addScoreStat, scoreStats)},
		beam.SideInput{Input: beam.Combine(os, addClusterStat, clusterStats)},
		beam.SideInput{Input: beam.CombinePerKey(os, sumInt64, blocked)})
}

// cellGate reads a cell stage's per-job counts and emits nothing: flattened
// into the input of a later cell stage, it holds that stage's grouping
// back until the earlier stage has finished (Plan.CellLanes).
func cellGate(int, int64, func(int, []byte)) {}
