package convergence

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// Size and resolution of the PNG plots.
const (
	plotWidth  = 16 * vg.Centimeter
	plotHeight = 11 * vg.Centimeter
)

// positive keeps the points a log–log plot can show: positive x and y.
func positive(xs, ys, es []float64) (plotter.XYs, plotter.YErrors) {
	var pts plotter.XYs
	var errs plotter.YErrors
	for i := range xs {
		if xs[i] > 0 && ys[i] > 0 && !math.IsInf(xs[i], 0) && !math.IsInf(ys[i], 0) {
			pts = append(pts, plotter.XY{X: xs[i], Y: ys[i]})
			// An unknown SE draws no bar; a bar must stay above 0 on a
			// log axis.
			e := es[i]
			if !(e >= 0) || math.IsInf(e, 0) {
				e = 0
			}
			errs = append(errs, struct{ Low, High float64 }{min(e, 0.999*ys[i]), e})
		}
	}
	return pts, errs
}

type errorPoints struct {
	plotter.XYs
	plotter.YErrors
}

// WritePlot writes a log–log PNG of error against step size for one or more
// convergence studies, each with ±1 SE bars and its fitted order in the
// legend, and a dashed reference slope of the first study's order through
// its finest point. Points with non-positive or infinite error are dropped
// (a log axis cannot show them) and non-finite SEs draw no bar; with no
// point left, WritePlot returns an error and writes nothing.
func WritePlot(path string, results ...*Result) error {
	if len(results) == 0 {
		return errors.New("convergence: nothing to plot")
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s convergence on %s", results[0].Kind, results[0].Problem)
	p.X.Label.Text = "step size dt"
	p.Y.Label.Text = results[0].Kind + " error"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{}, plot.LogTicks{}
	p.Legend.Top, p.Legend.Left = true, true
	drawn := 0
	for i, r := range results {
		var xs, ys, es []float64
		for _, row := range r.Rows {
			xs, ys, es = append(xs, row.Dt), append(ys, row.Error), append(es, row.ErrorSE)
		}
		pts, err := addCurve(p, i, xs, ys, es, fmt.Sprintf("%s: order %.2f ± %.2f", r.Method, r.Order, r.OrderSE))
		if err != nil {
			return err
		}
		if len(pts) == 0 {
			continue
		}
		drawn += len(pts)
		if i == 0 && !math.IsNaN(r.Order) && !math.IsInf(r.Order, 0) {
			// The fitted slope through the finest point.
			last := pts[len(pts)-1]
			ref := plotter.XYs{{X: pts[0].X, Y: last.Y * math.Pow(pts[0].X/last.X, r.Order)}, last}
			l, err := plotter.NewLine(ref)
			if err != nil {
				return err
			}
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			l.Color = color.Gray{Y: 120}
			p.Add(l)
		}
	}
	if drawn == 0 {
		return errors.New("convergence: no positive errors to plot on a log scale")
	}
	return save(p, path)
}

// WriteWPPlot writes a log–log PNG of error against mean NFE: one solid
// curve per method (and controller, when the study has several) through its
// adaptive rows, one per tolerance, a dashed curve of the same colour
// through the method's fixed-step rows, each point with ±1 SE bars, and
// the study's peer points as labelled markers. Points are dropped as in
// WritePlot.
func WriteWPPlot(path string, wp *WPResult) error {
	p := plot.New()
	p.Title.Text = "work–precision on " + wp.Problem
	p.X.Label.Text = "mean NFE per path"
	p.Y.Label.Text = "error"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{}, plot.LogTicks{}
	// Errors fall with work: the lower left corner is free for the legend.
	p.Legend.Left = true
	// One curve per method and controller, named by the method alone when
	// the study has one controller; each method keeps one colour.
	var order []string
	by := map[string][]WPRow{}
	ctls := map[string]bool{}
	colour := map[string]int{}
	for _, r := range wp.Rows {
		if r.Mode != ModeFixed {
			ctls[r.Controller] = true
		}
		if _, ok := colour[r.Method]; !ok {
			colour[r.Method] = len(colour)
		}
	}
	for _, r := range wp.Rows {
		key := r.Method
		switch {
		case r.Mode == ModeFixed:
			key += " fixed"
		case len(ctls) > 1:
			key += " adaptive (" + r.Controller + ")"
		default:
			key += " adaptive"
		}
		if _, ok := by[key]; !ok {
			order = append(order, key)
		}
		by[key] = append(by[key], r)
	}
	drawn := 0
	for i, key := range order {
		rows := by[key]
		var xs, ys, es []float64
		for _, r := range rows {
			xs, ys, es = append(xs, r.NFEMean), append(ys, r.Error), append(es, r.ErrorSE)
		}
		pts, err := addStyledCurve(p, colour[rows[0].Method], i, rows[0].Mode == ModeFixed, xs, ys, es, key)
		if err != nil {
			return err
		}
		drawn += len(pts)
	}
	for i, peer := range wp.Peers {
		if !(peer.NFE > 0) || !(peer.Error > 0) || math.IsInf(peer.NFE, 0) || math.IsInf(peer.Error, 0) {
			continue
		}
		sc, err := plotter.NewScatter(plotter.XYs{{X: peer.NFE, Y: peer.Error}})
		if err != nil {
			return err
		}
		sc.Shape = plotutil.Shape(len(order) + i)
		sc.Radius = vg.Points(5)
		sc.Color = color.Black
		p.Add(sc)
		p.Legend.Add(fmt.Sprintf("%s (%g NFE, %g)", peer.Name, peer.NFE, peer.Error), sc)
		drawn++
	}
	if drawn == 0 {
		return errors.New("convergence: no positive errors to plot on a log scale")
	}
	return save(p, path)
}

// addCurve adds the i-th curve — line, points and ±SE bars of the positive
// points — with a legend entry, and returns the points drawn.
func addCurve(p *plot.Plot, i int, xs, ys, es []float64, label string) (plotter.XYs, error) {
	return addStyledCurve(p, i, i, false, xs, ys, es, label)
}

// addStyledCurve is addCurve with the colour index c, the marker index i
// and a dashed line when dashed.
func addStyledCurve(p *plot.Plot, c, i int, dashed bool, xs, ys, es []float64, label string) (plotter.XYs, error) {
	pts, yerr := positive(xs, ys, es)
	if len(pts) == 0 {
		return nil, nil
	}
	line, points, err := plotter.NewLinePoints(pts)
	if err != nil {
		return nil, err
	}
	col := plotutil.Color(c)
	line.Color, points.Color = col, col
	if dashed {
		line.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
	}
	points.Shape = plotutil.Shape(i)
	bars, err := plotter.NewYErrorBars(errorPoints{pts, yerr})
	if err != nil {
		return nil, err
	}
	bars.Color = col
	p.Add(line, points, bars)
	p.Legend.Add(label, line, points)
	return pts, nil
}

func save(p *plot.Plot, path string) error {
	w, err := p.WriterTo(plotWidth, plotHeight, "png")
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := w.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
